import type { Knex } from 'knex';
import { migrationSource } from './migrations';

/** Key of the advisory lock that makes concurrent migration runs take turns ("FLTM"). */
const MIGRATION_LOCK_KEY = 0x464c544d;

/**
 * Applies every pending migration; safe to run from several processes at once. knex's own lock
 * is not enough: its lock table is created racily, so processes starting together on a fresh
 * database fail with MigrationLocked, and may even leave several lock rows behind, after which
 * every later run fails. A transaction-scoped advisory lock makes the runs take turns instead, and
 * the whole run (knex's bookkeeping tables included) happens in that one transaction. So a
 * migration cannot opt out of transactions (`config.transaction = false`, e.g. for CREATE INDEX
 * CONCURRENTLY); none does today.
 */
export async function migrateToLatest(knex: Knex): Promise<string[]> {
  return knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
    const [, applied] = (await trx.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  });
}
