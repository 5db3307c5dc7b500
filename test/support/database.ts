import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/src/config';
import { connectDatabase, type Database } from '../../core/src/db';
import { createPostgresDatabase, isPostgresReachable } from '../../core/src/testing/databases';

export type DatabaseKind = 'postgres' | 'embedded';

/** A knex instance on a test database (core's own knex, so this package needs no knex of its own). */
export type Knex = Database['knex'];

/**
 * Where a test's faultline processes keep their data: a fresh Postgres database, or a fresh
 * DATA_DIR for the embedded default. `cliArgs` point any `faultline` command at it.
 */
export interface DatabaseTarget {
  readonly kind: DatabaseKind;
  readonly cliArgs: string[];
  /** The Postgres URL, or the DATA_DIR of embedded mode. */
  readonly location: string;
  /**
   * Runs `fn` with a knex connection to the same database. Embedded: only while no faultline
   * process holds the DATA_DIR (PGlite allows one process).
   */
  withKnex<T>(fn: (knex: Knex) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

export async function createDatabaseTarget(kind: DatabaseKind): Promise<DatabaseTarget> {
  if (kind === 'postgres') {
    const created = await createPostgresDatabase();
    return {
      kind,
      cliArgs: ['--database-url', created.url],
      location: created.url,
      withKnex: async (fn) => {
        const db = connectDatabase({ kind: 'postgres', url: created.url, poolMax: 2 });
        try {
          return await fn(db.knex);
        } finally {
          await db.close();
        }
      },
      dispose: () => created.drop(),
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-e2e-'));
  return {
    kind,
    cliArgs: ['--data-dir', dataDir],
    location: dataDir,
    withKnex: async (fn) => {
      const settings = loadConfig({}, { DATA_DIR: dataDir }).database;
      if (settings.kind !== 'embedded') throw new Error('expected embedded database settings');
      const db = connectDatabase(settings);
      try {
        return await fn(db.knex);
      } finally {
        await db.close();
      }
    },
    dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** The kind for tests that run once: Postgres when reachable, otherwise embedded. */
export async function preferredKind(): Promise<DatabaseKind> {
  return (await isPostgresReachable()) ? 'postgres' : 'embedded';
}
