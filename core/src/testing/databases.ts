import knexFactory from 'knex';
import { connectDatabase, migrateToLatest, type Database } from '../db';

/**
 * Test databases are real: a fresh Postgres database per suite (on the server at TEST_DATABASE_URL,
 * default the local one) and an in-memory PGlite. Postgres is skipped only when it can't be reached
 * outside CI; in CI (CI=true) an unreachable server fails the run.
 */
export const TEST_POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDatabaseKind = 'postgres' | 'embedded';

let postgresReachable: Promise<boolean> | undefined;

async function probePostgres(): Promise<boolean> {
  const admin = knexFactory({ client: 'pg', connection: TEST_POSTGRES_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('select 1');
    return true;
  } catch (error) {
    if (process.env.CI) throw new Error(`CI needs Postgres at ${TEST_POSTGRES_URL}: ${String(error)}`);
    console.warn(`Postgres at ${TEST_POSTGRES_URL} unreachable; Postgres variants of tests will not run`);
    return false;
  } finally {
    await admin.destroy();
  }
}

export function isPostgresReachable(): Promise<boolean> {
  postgresReachable ??= probePostgres();
  return postgresReachable;
}

export function urlForDatabase(name: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates an empty Postgres database and returns its URL; `drop()` removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `faultline_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = knexFactory({ client: 'pg', connection: TEST_POSTGRES_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  await admin.destroy();
  return {
    url: urlForDatabase(name),
    drop: async () => {
      const again = knexFactory({ client: 'pg', connection: TEST_POSTGRES_URL, pool: { min: 0, max: 1 } });
      await again.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.destroy();
    },
  };
}

export interface TestDatabase extends Database {
  /** Postgres URL when kind is postgres (for child processes). */
  url?: string;
}

/** A migrated database of the given kind; close() also drops a Postgres one. */
export async function openTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const db = connectDatabase({ kind: 'embedded', dataDir: null });
    await migrateToLatest(db.knex);
    return db;
  }
  const created = await createPostgresDatabase();
  const db = connectDatabase({ kind: 'postgres', url: created.url, poolMax: 5 });
  await migrateToLatest(db.knex);
  return {
    kind: db.kind,
    knex: db.knex,
    signals: db.signals,
    url: created.url,
    close: async () => {
      await db.close();
      await created.drop();
    },
  };
}

/**
 * Declares a suite once per database kind. Inside, `ctx.db` is a fresh migrated database for the suite.
 */
export function describeEachDatabase(title: string, body: (ctx: { db: TestDatabase }) => void): void {
  for (const kind of ['embedded', 'postgres'] as const) {
    describe(`${title} [${kind}]`, function () {
      const ctx = {} as { db: TestDatabase };
      before(async function () {
        if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
        ctx.db = await openTestDatabase(kind);
      });
      after(async () => {
        await ctx.db?.close();
      });
      body(ctx);
    });
  }
}
