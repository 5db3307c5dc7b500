import type { Knex } from 'knex';
import { migrationSource } from './migrations';

/** Applies every pending migration; safe to run from several processes at once (knex locks). */
export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}
