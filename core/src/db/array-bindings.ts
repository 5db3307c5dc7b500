import type { Knex } from 'knex';

/**
 * Bindings for `unnest(?::int[], ?::text[], …)` multi-row statements: one array per column.
 * Knex's types don't admit arrays with nulls, though pg and PGlite serialize them fine.
 */
export function columnBindings(...columns: readonly unknown[][]): Knex.RawBinding[] {
  return columns as Knex.RawBinding[];
}
