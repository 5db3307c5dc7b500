import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';

export type DatabaseSettings =
  | { kind: 'postgres'; url: string; poolMax: number }
  /** `dataDir` null: an in-memory database (tests). */
  | { kind: 'embedded'; dataDir: string | null };

export interface Database {
  readonly kind: DatabaseSettings['kind'];
  readonly knex: Knex;
  close(): Promise<void>;
}

/**
 * Opens the database: real Postgres through `pg` when a URL is configured, otherwise PGlite
 * in-process. PGlite is one session, so knex-pglite pins its pool to a single connection and
 * every query and transaction is serialized; callers must not hold a transaction open while
 * waiting on another query outside it.
 */
export function connectDatabase(settings: DatabaseSettings): Database {
  if (settings.kind === 'postgres') {
    const knex = knexFactory({
      client: 'pg',
      connection: { connectionString: settings.url, application_name: 'faultline' },
      pool: { min: 0, max: settings.poolMax },
    });
    return { kind: 'postgres', knex, close: () => knex.destroy() };
  }
  if (settings.dataDir) fs.mkdirSync(settings.dataDir, { recursive: true });
  const knex = knexFactory({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: settings.dataDir ? { filename: settings.dataDir } : {},
    useNullAsDefault: true,
  } as Knex.Config);
  return { kind: 'embedded', knex, close: () => knex.destroy() };
}
