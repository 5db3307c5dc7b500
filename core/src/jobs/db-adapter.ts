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
  const inCallersTransaction = (knex as Knex.Transaction).isTransaction === true;
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
      } catch (error) {
        // pg-boss sends scripts with their own BEGIN … COMMIT; one that fails half-way leaves its
        // transaction open and aborted on this connection. Roll it back before the connection goes
        // back to the pool, or the next query on it (any of Faultline's) fails with 25P02.
        if (!inCallersTransaction) await rollBack(connection);
        throw error;
      } finally {
        await client.releaseConnection(connection);
      }
    },
  };
}

async function rollBack(connection: Queryable): Promise<void> {
  try {
    if (typeof connection.exec === 'function') await connection.exec('ROLLBACK');
    else await connection.query('ROLLBACK');
  } catch {
    // Not in a transaction, or the connection is gone: nothing to undo.
  }
}
