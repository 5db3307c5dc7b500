/**
 * A whole Faultline server for tests, in this process: the runtime of `faultline start` (ingestion,
 * the pipeline, the API) on a fresh embedded data directory or a fresh Postgres database, on a free
 * port. Nothing is mocked.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { openRuntime, startServices } from '../runtime';
import { createPostgresDatabase, type TestDatabaseKind } from './databases';

export interface TestServer {
  url: string;
  knex: Knex;
  stop(): Promise<void>;
}

/** Starts a server on `kind`; `env` adds settings (e.g. limits). Stop it to drop its database. */
export async function startTestServer(
  kind: TestDatabaseKind,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-test-server-'));
  const postgres = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    ...(postgres ? { DATABASE_URL: postgres.url, SECRET_KEY: randomBytes(32).toString('base64') } : {}),
    ...env,
  });
  const runtime = await openRuntime(config, createLogger('silent'));
  const running = await startServices(runtime, { http: true, workers: true });
  return {
    url: running.url,
    knex: runtime.db.knex,
    stop: async () => {
      await running.stop();
      await runtime.close();
      await postgres?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
