import type { Knex } from 'knex';

/**
 * The change outbox is pruned past the retention period (`changes/prune.ts`):
 *
 * - `issue_changes_created_at` finds the rows past retention without reading the whole table.
 * - `issue_change_horizon` (one row) holds the newest `(txid, id)` pruned so far, so a client
 *   resuming the change stream from before it is told that changes are gone rather than silently
 *   skipping them.
 * - Two more change kinds: `comment_edited` and `comment_deleted`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX issue_changes_created_at ON issue_changes (created_at)');
  await knex.raw(`
    CREATE TABLE issue_change_horizon (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      txid xid8 NOT NULL,
      id bigint NOT NULL
    )`);
  await knex.raw(`
    ALTER TABLE issue_changes DROP CONSTRAINT issue_changes_kind_check,
      ADD CONSTRAINT issue_changes_kind_check CHECK (kind IN (
        'created', 'regressed', 'state_changed', 'assigned', 'commented', 'comment_edited',
        'comment_deleted', 'events_counted'))`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
