import type { Knex } from 'knex';

/**
 * The leased cursor in the change outbox of a search index kept beside Postgres (the Typesense
 * indexer; one row per consumer, like `alert_cursors`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE search_index_cursors (
      consumer text PRIMARY KEY,
      txid xid8 NOT NULL,
      change_id bigint NOT NULL,
      lease_owner text NULL,
      leased_until timestamptz NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
