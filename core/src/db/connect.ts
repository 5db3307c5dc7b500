import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { DatabaseSignals, registerSignals } from './signals';

export type DatabaseSettings =
  | { kind: 'postgres'; url: string; poolMax: number }
  /** `dataDir` null: an in-memory database (tests). */
  | { kind: 'embedded'; dataDir: string | null };

export interface Database {
  readonly kind: DatabaseSettings['kind'];
  readonly knex: Knex;
  /** Wake-ups between the processes (and threads) sharing this database. */
  readonly signals: DatabaseSignals;
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
    return withSignals('postgres', knex, settings.url);
  }
  if (settings.dataDir) fs.mkdirSync(settings.dataDir, { recursive: true });
  const knex = knexFactory({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: settings.dataDir ? { filename: settings.dataDir } : {},
    useNullAsDefault: true,
  } as Knex.Config);
  return withSignals('embedded', knex, undefined);
}

function withSignals(kind: Database['kind'], knex: Knex, url: string | undefined): Database {
  const signals = new DatabaseSignals(knex, url);
  registerSignals(knex, signals);
  return {
    kind,
    knex,
    signals,
    close: async () => {
      await signals.close();
      await knex.destroy();
    },
  };
}
