import type { Knex } from 'knex';

/**
 * Queued payloads live for a fraction of a second: written by ingestion, read back and deleted by
 * the pipeline. Compressing them (TOAST kicks in above ~2 KB, and a typical SDK event is 2–8 KB)
 * cost Postgres CPU twice for nothing — once on insert, once on the read — about 20 µs per event
 * in the ingestion benchmark, and much more on PGlite, which only has pglz. With the tuple target at
 * its maximum, rows up to ~8 KB stay inline and uncompressed; larger ones are still TOASTed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE raw_events SET (toast_tuple_target = 8160)');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
