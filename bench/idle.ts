/**
 * Idle-cost benchmark: `npm run bench:idle` (after `tsc -b`).
 *
 * Starts `faultline start` on a fresh Postgres database with what makes background work exist: an
 * alert rule with a change trigger and one with a frequency trigger, and the built-in webhooks plugin
 * (issue hooks) turned on for the project. Sends a short burst of events (so the pipeline, the
 * outbox consumers and the job queue have all run), waits for it to be processed and for its jobs
 * (hook deliveries, failing and retried here) to end, vacuums (so
 * autovacuum's catching up on the burst stays out of the window) and lets the server settle, then
 * measures a window with no traffic: CPU of the Faultline process and of this
 * database's Postgres backends, and commits per second. Target: ≤ 0.02 cores, ≤ 1 commit/s.
 *
 * Settings (flag or environment): --duration / BENCH_IDLE_DURATION (seconds measured, 120),
 * --settle / BENCH_IDLE_SETTLE (seconds between the burst being processed and the window, 10),
 * --workers / BENCH_WORKERS (in-process or separate), --quiet-wait / BENCH_QUIET_WAIT (60),
 * BENCH_CLI (the faultline CLI to run, default core/dist/cli/main.js of this checkout).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createPostgresDatabase } from '../core/src/testing/databases';
import { cleanup, cleanups, log, runBenchmark, runLoad, runNode, track } from './lib/harness';
import { BenchFlags } from './lib/flags';
import { idleCostText, measureIdleCost } from './lib/idle-cost';
import { freePort, sleep, stopChild, tailOf, waitForHttp, waitForQuiet } from './lib/proc';

const ROOT = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist`) ? '../..' : '..');
const CLI = process.env.BENCH_CLI
  ? path.resolve(process.env.BENCH_CLI)
  : path.join(ROOT, 'core', 'dist', 'cli', 'main.js');

async function main(): Promise<void> {
  const flags = new BenchFlags(process.argv.slice(2));
  const seconds = flags.num('duration', 'BENCH_IDLE_DURATION', 120, 5, 3600);
  const settleSeconds = flags.num('settle', 'BENCH_IDLE_SETTLE', 10, 0, 600);
  const quietWaitMs = flags.num('quiet-wait', 'BENCH_QUIET_WAIT', 60, 0, 3600) * 1000;
  const separate = flags.text('workers', 'BENCH_WORKERS') === 'separate';
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -b\` first`);

  const database = await createPostgresDatabase();
  cleanups.push(() => database.drop());
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    SECRET_KEY: process.env.SECRET_KEY || randomBytes(32).toString('base64'),
  };
  delete env.NODE_OPTIONS;
  const boot = await runNode(CLI, ['bootstrap', '--json'], env, 120_000);
  const { dsn } = JSON.parse(boot.trim().split('\n').pop() ?? '{}') as { dsn?: string };
  if (!dsn) throw new Error(`bootstrap printed no DSN: ${boot}`);
  const dsnUrl = new URL(dsn);
  const publicKey = decodeURIComponent(dsnUrl.username);
  const projectId = Number(dsnUrl.pathname.replace(/^\/+|\/+$/g, ''));

  const client = new Client({ connectionString: database.url, application_name: 'faultline-bench' });
  await client.connect();
  cleanups.push(() => client.end().catch(() => undefined));
  // What a configured installation has: rules of both kinds and a plugin with issue hooks turned on.
  await client.query(
    `INSERT INTO alert_rules (project_id, name, triggers, filters, actions) VALUES
       ($1, 'new issues', '[{"id":"issue.created"}]', '[]', '[]'),
       ($1, 'bursts', '[{"id":"event_frequency","value":1000,"interval":5}]', '[]', '[]')`,
    [projectId],
  );
  await client.query(
    `INSERT INTO plugin_settings (organization_id, project_id, plugin_id, enabled, config)
     SELECT organization_id, id, 'webhooks', true, '{}' FROM projects WHERE id = $1`,
    [projectId],
  );

  const start = (name: string, args: string[]): ChildProcess => {
    const child = track(spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const err = tailOf(child.stderr);
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM') log(`faultline ${name} exited (${signal ?? code}):\n${err()}`);
    });
    return child;
  };
  const processes: Record<string, ChildProcess> = {
    server: start('start', separate ? ['start', '--no-workers'] : ['start']),
  };
  if (separate) processes.worker = start('worker', ['worker']);
  await waitForHttp(`http://127.0.0.1:${port}/_health`, 60_000, () => processes.server.exitCode === null);

  log('a short burst of events, so every background path has run');
  await burst(port, publicKey, projectId);
  for (let waited = 0; ; waited += 250) {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM raw_events');
    if (Number(rows[0].n) === 0) break;
    if (waited > 60_000) throw new Error('the burst was not processed within 60 s');
    await sleep(250);
  }
  // The burst's hook jobs (the webhooks plugin has no destination here, so they fail and are
  // retried with backoff) are its work, not idle cost: wait for them to end.
  for (let waited = 0; ; waited += 500) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pgboss.job WHERE state < 'completed' AND name NOT LIKE '\\_\\_pgboss%'`,
    );
    if (Number(rows[0].n) === 0) break;
    if (waited > 180_000) throw new Error('the jobs of the burst did not end within 180 s');
    await sleep(500);
  }
  // Autovacuum would otherwise spend the window catching up on the burst (its transactions count
  // in this database's commits too): that is Postgres tidying up once, not Faultline's idle cost.
  await client.query('VACUUM ANALYZE');
  log(`processed; settling ${settleSeconds} s`);
  await sleep(settleSeconds * 1000);
  const busy = await waitForQuiet(quietWaitMs);
  if (busy >= 0.25) log(`warning: ${busy.toFixed(2)} cores busy with other work; CPU figures will be skewed`);
  // This session polled and vacuumed just now: it ends here, so its statistics are in before the window.
  await client.end();
  log(`measuring ${seconds} s with no traffic`);
  const idle = await measureIdleCost(database.url, processes, seconds);
  await Promise.all(Object.values(processes).map((child) => stopChild(child, 20_000)));
  await cleanup();
  process.stdout.write(`\n${idleCostText(idle)}\n\n`);
  process.stdout.write(
    JSON.stringify({
      benchmark: 'idle',
      at: new Date().toISOString(),
      cli: path.relative(ROOT, CLI),
      workers: separate ? 'separate' : 'in-process',
      backgroundCores: busy,
      idle,
    }) + '\n',
  );
}

/** 2 s of closed-loop load at low concurrency through the benchmark's load generator. */
async function burst(port: number, publicKey: string, projectId: number): Promise<void> {
  await runLoad({
    label: 'idle-burst',
    host: '127.0.0.1',
    port,
    path: `/api/${projectId}/envelope/?sentry_version=7&sentry_key=${publicKey}&sentry_client=sentry.javascript.node%2F11.12.0`,
    publicKey,
    graceMs: 5000,
    mode: 'closed',
    concurrency: 4,
    rate: 0,
    durationMs: 2000,
  });
}

runBenchmark(main);
