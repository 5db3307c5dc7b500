import type { Knex } from 'knex';
import { integrationProvidersSql } from './integration-providers';

/**
 * What an integration (the Slack app) keeps in Faultline, reached through the API with its token:
 * where it is in its organization's change stream (`integration_cursors`), so that a restarted
 * app, standalone or inside `faultline start`, resumes from it; and the workspaces installed through
 * the provider's OAuth flow (`integration_installations`), each connected to one organization, the
 * provider's record (tokens included) sealed at rest. Independent of the other migrations after 021.
 */
export async function up(knex: Knex): Promise<void> {
  const providers = integrationProvidersSql();
  await knex.raw(`
    CREATE TABLE integration_cursors (
      organization_id int NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN (${providers})),
      -- A change stream Last-Event-ID, "<txid>-<id>".
      cursor text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organization_id, provider)
    )`);
  await knex.raw(`
    CREATE TABLE integration_installations (
      id serial PRIMARY KEY,
      organization_id int NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN (${providers})),
      -- Slack: the team id, or the enterprise id of an organization-wide install.
      external_workspace_id text NOT NULL,
      -- The provider's installation record as JSON, sealed with AES-256-GCM (SECRET_KEY).
      installation_sealed text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- A workspace is connected to one organization.
      UNIQUE (provider, external_workspace_id)
    )`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
