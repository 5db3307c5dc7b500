import type { Knex } from 'knex';

/**
 * The cursors of the change outbox's named readers: `alert_cursors` (migration 012) held the alert
 * evaluator's; the Typesense indexer is a second reader of the same kind, so the table is renamed to
 * say what it holds rather than made again under another name. The evaluator's row (`issue-alerts`)
 * stays where it was.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE alert_cursors RENAME TO change_cursors');
  await knex.raw('ALTER INDEX alert_cursors_pkey RENAME TO change_cursors_pkey');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
