import type { Knex } from 'knex';

/**
 * Bindings for `unnest(?::int[], ?::text[], …)` multi-row statements: one array per column.
 * Knex's types don't admit arrays with nulls, though pg and PGlite serialize them fine.
 */
export function columnBindings(...columns: readonly unknown[][]): Knex.RawBinding[] {
  return columns as Knex.RawBinding[];
}

/**
 * `(?, ?, …), (?, ?, …)…`: `rows` tuples of `columns` placeholders, for a multi-row
 * `INSERT … VALUES` whose values go one bind parameter each (large JSON stays unescaped).
 */
export function valueRows(rows: number, columns: number): string {
  const tuple = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => tuple).join(', ');
}
