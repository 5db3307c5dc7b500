import type { Knex } from 'knex';
import { integrationProvidersSql } from './integration-providers';

/**
 * Linked accounts: which Faultline user a Slack or GitHub identity belongs to, per organization
 * (`external_identities`), and the single-use requests an integration makes so that the person can
 * confirm a link while signed in (`account_link_requests`). Independent of migration 019, which may
 * run before or after this one.
 */
export async function up(knex: Knex): Promise<void> {
  const providers = integrationProvidersSql();
  await knex.raw(`
    CREATE TABLE external_identities (
      id serial PRIMARY KEY,
      organization_id int NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN (${providers})),
      -- The Slack workspace (team) id, or the GitHub organization id, the user id is unique in.
      external_workspace_id text NOT NULL,
      external_user_id text NOT NULL,
      user_id int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, provider, external_workspace_id, external_user_id)
    )`);
  await knex.raw('CREATE INDEX external_identities_user ON external_identities (user_id)');
  await knex.raw(`
    CREATE TABLE account_link_requests (
      id serial PRIMARY KEY,
      organization_id int NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN (${providers})),
      external_workspace_id text NOT NULL,
      external_user_id text NOT NULL,
      -- The integration credential that asked; a revoked one leaves its requests unusable.
      requested_by_token_id int REFERENCES api_tokens(id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX account_link_requests_expires_at ON account_link_requests (expires_at)');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
