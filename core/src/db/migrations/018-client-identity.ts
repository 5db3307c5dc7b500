import type { Knex } from 'knex';
import { CHANGE_SURFACES, CLIENTS } from '@faultline/plugin-sdk';

/**
 * Every credential records the client it was issued to, and every audit entry the surface it was
 * made through (`plugin-sdk/src/clients.ts` declares both lists, once):
 *
 * - `api_tokens.client`: `api` for the tokens that exist (people's own tokens and scripts).
 * - `sessions.client`: `web`, the only client that signs in with a cookie.
 * - `audit_log.surface`: null for entries written before this migration.
 * - `issue_changes.surface` takes `web` too.
 *
 * The checks are generated from those lists. A client added later needs a migration that
 * regenerates them (`inList` below, copied), since applied migrations never run again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `ALTER TABLE api_tokens ADD COLUMN client text NOT NULL DEFAULT 'api' CHECK (client IN (${inList(CLIENTS)}))`,
  );
  await knex.raw(
    `ALTER TABLE sessions ADD COLUMN client text NOT NULL DEFAULT 'web' CHECK (client IN (${inList(CLIENTS)}))`,
  );
  await knex.raw(
    `ALTER TABLE audit_log ADD COLUMN surface text NULL CHECK (surface IN (${inList(CHANGE_SURFACES)}))`,
  );
  // Revoking "all my vscode tokens" looks tokens up by owner and client.
  await knex.raw('CREATE INDEX api_tokens_user_client ON api_tokens (user_id, client)');
  await knex.raw(`
    ALTER TABLE issue_changes DROP CONSTRAINT issue_changes_surface_check,
      ADD CONSTRAINT issue_changes_surface_check CHECK (surface IN (${inList(CHANGE_SURFACES)}))`);
}

/** `'a', 'b'` for a CHECK constraint; DDL takes no bindings, so each value is checked to be a plain word. */
function inList(values: readonly string[]): string {
  for (const value of values) {
    if (!/^[a-z][a-z0-9_]*$/.test(value)) throw new Error(`Not a plain word for a CHECK list: ${value}`);
  }
  return values.map((value) => `'${value}'`).join(', ');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
