import type { Knex } from 'knex';

/**
 * Comments on issues (Sentry's "notes"), and the issues of other systems (a GitHub issue, a Jira
 * ticket) that plugins link to Faultline issues. A link's `key` names the external issue within the
 * plugin's namespace; the same external issue may be linked to several Faultline issues, once each.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE issue_comments (
      id serial PRIMARY KEY,
      issue_id integer NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
      user_id integer NULL REFERENCES users(id) ON DELETE SET NULL,
      text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX issue_comments_issue ON issue_comments (issue_id, id)');
  await knex.raw(`
    CREATE TABLE issue_external_links (
      id serial PRIMARY KEY,
      issue_id integer NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
      plugin_id text NOT NULL,
      key text NOT NULL,
      url text NOT NULL,
      title text NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (plugin_id, key, issue_id)
    )`);
  await knex.raw('CREATE INDEX issue_external_links_issue ON issue_external_links (issue_id)');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
