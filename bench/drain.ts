/**
 * Pipeline drain benchmark: `npm run bench:drain` (after `tsc -b`).
 *
 * The pipeline's and Postgres's CPU per event, measured apart from the HTTP side and from the
 * arrival rate (which on a shared machine swings with whatever else runs): on a fresh Postgres
 * database, N of the ingest benchmark's events (lib/payloads.ts) are queued in `raw_events` inside
 * one transaction that holds the table locked, while an idle `faultline worker` waits for them; the
 * commit releases them all at once and is announced as ingestion announces its own, and the CPU the worker process and its Postgres sessions spend
 * until the queue is empty is divided by N. Batches are full-size, as under load.
 *
 * Settings (flag or environment): --events / BENCH_EVENTS (6000), BENCH_CLI (another build's
 * core/dist/cli/main.js, to compare). Server settings (WORKER_BATCH_SIZE, WORKER_CONCURRENCY…)
 * pass through from the environment. Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { SIGNALS } from '../core/src/db/signals';
import { createPostgresDatabase } from '../core/src/testing/databases';
import { cleanup, cleanups, log, runBenchmark, runNode, track } from './lib/harness';
import { BenchFlags } from './lib/flags';
import { BodyFactory, buildTemplates } from './lib/payloads';
import { commandCpuByPid, processCpuSeconds, sleep } from './lib/proc';

const ROOT = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist`) ? '../..' : '..');
const CLI = process.env.BENCH_CLI
  ? path.resolve(process.env.BENCH_CLI)
  : path.join(ROOT, 'core', 'dist', 'cli', 'main.js');
const ROWS_PER_INSERT = 500;

/** CPU seconds of a process until it stops rising: the worker has started and gone idle. */
async function settledCpu(pid: number): Promise<number> {
  let last = processCpuSeconds(pid);
  for (;;) {
    await sleep(1500);
    const now = processCpuSeconds(pid);
    if (now - last < 0.05) return now;
    last = now;
  }
}

async function main(): Promise<void> {
  const events = new BenchFlags(process.argv.slice(2)).num('events', 'BENCH_EVENTS', 6000, 1, 1_000_000);
  const database = await createPostgresDatabase();
  cleanups.push(() => database.drop());
  const env = { ...process.env, DATABASE_URL: database.url, SECRET_KEY: 'b'.repeat(64), LOG_LEVEL: 'warn' };
  const db = new Client({ connectionString: database.url, application_name: 'faultline-bench' });
  try {
    const boot = JSON.parse(await runNode(CLI, ['bootstrap', '--json'], env, 120_000)) as {
      dsn: string;
      projectId: number;
    };
    const factory = new BodyFactory(buildTemplates(new URL(boot.dsn).username));
    const payloads = Array.from({ length: events }, () => factory.nextBody().toString('utf8').split('\n')[2]);
    await db.connect();
    const worker = track(
      spawn(process.execPath, [CLI, 'worker'], { env, stdio: ['ignore', 'inherit', 'inherit'] }),
    );
    const workerBefore = await settledCpu(worker.pid!);
    // Queued behind a table lock, so the worker sees all of them at once (its claims wait on it).
    await db.query('BEGIN');
    await db.query('LOCK TABLE raw_events IN EXCLUSIVE MODE');
    for (let i = 0; i < events; i += ROWS_PER_INSERT) {
      const chunk = payloads.slice(i, i + ROWS_PER_INSERT);
      await db.query(
        `INSERT INTO raw_events (project_id, received_at, payload)
         SELECT $1, now(), p FROM unnest($2::text[]) AS p`,
        [boot.projectId, chunk],
      );
    }
    await sleep(1000);
    const { rows: sessions } = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    const postgresBefore = commandCpuByPid('postgres');
    const workerStart = processCpuSeconds(worker.pid!);
    const started = Date.now();
    await db.query('COMMIT');
    // Announced as ingestion announces its commits: an idle worker otherwise looks only on its slow
    // safety poll (30 s), and the figures would time that poll, not the pipeline.
    await db.query('SELECT pg_notify($1, $2)', [SIGNALS.rawEvents, '']);
    log(`${events} events queued; draining`);
    for (;;) {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM raw_events');
      if (rows[0].n === 0) break;
      await sleep(100);
    }
    const seconds = (Date.now() - started) / 1000;
    const workerCpu = processCpuSeconds(worker.pid!) - workerStart;
    const postgresAfter = commandCpuByPid('postgres');
    const postgresCpu = sessions.reduce(
      (sum, { pid }) => sum + (postgresAfter.get(pid) ?? 0) - (postgresBefore.get(pid) ?? 0),
      0,
    );
    const { rows: stored } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    console.log(
      JSON.stringify({
        benchmark: 'drain',
        at: new Date().toISOString(),
        cli: path.relative(ROOT, CLI),
        events,
        stored: stored[0].n,
        seconds,
        idleWorkerCpuSeconds: workerBefore,
        cpuMicrosPerEvent: {
          pipeline: Math.round((workerCpu * 1e6) / events),
          postgres: Math.round((postgresCpu * 1e6) / events),
        },
      }),
    );
  } finally {
    await db.end().catch(() => undefined);
    await cleanup();
  }
}

runBenchmark(main);
