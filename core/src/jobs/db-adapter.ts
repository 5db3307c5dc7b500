import type { Knex } from 'knex';
import type PgBoss from 'pg-boss';

interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  exec?(text: string): Promise<{ rows: unknown[] }[]>;
}

/**
 * pg-boss's database port over a Knex instance or transaction, so jobs share Faultline's pool (and,
 * on PGlite, its single serialized connection) and can be sent inside a caller's transaction. Inside
 * a transaction Knex hands out the transaction's connection; otherwise one from the pool, given back
 * after the statement. PGlite's `query` takes one statement, so parameterless scripts (pg-boss's
 * migrations and locked blocks) go through `exec`.
 */
export function knexDb(knex: Knex | Knex.Transaction): PgBoss.Db {
  const client = knex.client as {
    acquireConnection(): Promise<Queryable>;
    releaseConnection(connection: Queryable): Promise<void>;
  };
  return {
    async executeSql(text: string, values: unknown[]) {
      const connection = await client.acquireConnection();
      try {
        if ((!values || values.length === 0) && typeof connection.exec === 'function') {
          const results = await connection.exec(text);
          return { rows: results.at(-1)?.rows ?? [] };
        }
        const result = await connection.query(text, values ?? []);
        return { rows: result.rows };
      } finally {
        await client.releaseConnection(connection);
      }
    },
  };
}
