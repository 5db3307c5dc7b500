import type { Knex } from 'knex';

/**
 * Plugins per organization and project (`plugin_settings`: on/off and config overrides, secret
 * fields sealed with the server's key), and how often each plugin's code failed (`plugin_failures`,
 * per kind of call), so every process's failures add up in one place.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE plugin_settings (
      id serial PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      project_id integer NULL REFERENCES projects(id) ON DELETE CASCADE,
      plugin_id text NOT NULL,
      enabled boolean NULL,
      config jsonb NOT NULL DEFAULT '{}',
      secrets jsonb NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  // Without a project the row is the organization's; a partial index each, since NULLs never collide.
  await knex.raw(
    'CREATE UNIQUE INDEX plugin_settings_org ON plugin_settings (organization_id, plugin_id) WHERE project_id IS NULL',
  );
  await knex.raw(
    'CREATE UNIQUE INDEX plugin_settings_project ON plugin_settings (project_id, plugin_id) WHERE project_id IS NOT NULL',
  );
  await knex.raw(`
    CREATE TABLE plugin_failures (
      plugin_id text NOT NULL,
      kind text NOT NULL,
      failures bigint NOT NULL DEFAULT 0,
      last_error text NULL,
      last_failed_at timestamptz NULL,
      PRIMARY KEY (plugin_id, kind)
    )`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
