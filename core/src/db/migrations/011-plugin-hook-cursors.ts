import type { Knex } from 'knex';

/**
 * Where each plugin's issue hooks are in the change outbox: a `(txid, change_id)` cursor per plugin
 * (see `changes/read.ts`), a lease so that one process at a time delivers a plugin's hooks, and
 * counts. Plus an index for reading the outbox across organizations, in stream order.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE plugin_hook_cursors (
      plugin_id text PRIMARY KEY,
      txid xid8 NOT NULL,
      change_id bigint NOT NULL,
      lease_owner text NULL,
      leased_until timestamptz NULL,
      delivered bigint NOT NULL DEFAULT 0,
      failed bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX issue_changes_global_stream ON issue_changes (txid, id)');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
