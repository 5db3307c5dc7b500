/**
 * Plugin isolation benchmark: `npm run bench:plugins` (after `tsc -b`).
 *
 * What does a misbehaving plugin cost ingestion? In one run, on one fresh Postgres database, the same
 * closed-loop load (real @sentry/node envelopes, see lib/payloads.ts) against `faultline start`:
 *   1. without plugins (the baseline);
 *   2. with a plugin whose processEvent never settles (plugins/hanging.ts);
 *   3. with a plugin whose processEvent busy-loops forever (plugins/busy-loop.ts);
 *   4. (with --slow) a plugin that works 2 ms per event and succeeds (plugins/slow.ts);
 *   5. without plugins again, to show how far the machine drifted during the run.
 * Prints accepted/s, processed/s and p99 per run and their ratios to the mean of the two baseline runs,
 * plus how often the host cut the plugin off and paused it (its warnings in the server's log).
 *
 * Settings (flag or environment): --duration / BENCH_DURATION (seconds of load per run, 5),
 * --concurrency / BENCH_CONCURRENCY (64), --warmup / BENCH_WARMUP (seconds of load before the runs,
 * to create the issues, 2), --drain-timeout / BENCH_DRAIN_TIMEOUT (10), --quiet-wait /
 * BENCH_QUIET_WAIT (2), --slow / BENCH_SLOW=1 (add run 4).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createPostgresDatabase } from '../core/src/testing/databases';
import {
  PostgresProgress,
  type Progress,
  cleanup,
  cleanups,
  failuresText,
  log,
  runLoad,
  runNode,
  serverPhase,
  track,
  type ServerPhase,
  runBenchmark,
} from './lib/harness';
import { BenchFlags } from './lib/flags';
import { freePort, stopChild, tailOf, waitForHttp, waitForQuiet } from './lib/proc';
import { fmtInt, fmtMs, round, table } from './lib/stats';

const ROOT = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist`) ? '../..' : '..');
const CLI = path.join(ROOT, 'core', 'dist', 'cli', 'main.js');
/** The server loads plugins with require(), so it gets the compiled ones. */
const PLUGINS_DIR = path.join(ROOT, 'bench', 'dist', 'plugins');
/** Start, load, drain and stop per run; this whole benchmark must stay short. */
const WATCHDOG_MS = 240_000;

interface Variant {
  name: string;
  /** PLUGINS for the server; empty: none. */
  plugins: string;
}

interface Settings {
  durationMs: number;
  concurrency: number;
  warmupMs: number;
  drainTimeoutMs: number;
  quietWaitMs: number;
  slow: boolean;
}

function readSettings(argv: string[]): Settings {
  const flags = new BenchFlags(argv);
  return {
    durationMs: flags.num('duration', 'BENCH_DURATION', 5, 1, 120) * 1000,
    concurrency: Math.round(flags.num('concurrency', 'BENCH_CONCURRENCY', 64, 1, 1024)),
    warmupMs: flags.num('warmup', 'BENCH_WARMUP', 2, 0, 30) * 1000,
    drainTimeoutMs: flags.num('drain-timeout', 'BENCH_DRAIN_TIMEOUT', 10, 1, 600) * 1000,
    quietWaitMs: flags.num('quiet-wait', 'BENCH_QUIET_WAIT', 2, 0, 120) * 1000,
    slow: flags.bool('slow', 'BENCH_SLOW'),
  };
}

interface RunResult {
  variant: Variant;
  phase: ServerPhase;
  /** Warnings the host logged: a processEvent call cut off, and the plugin paused after repeated failures. */
  pluginFailures: number;
  pluginPauses: number;
  backgroundCores: number;
}

/** Counts the host's warnings about plugins in the server's JSON log lines. */
function countPluginWarnings(child: ChildProcess): { failures: () => number; pauses: () => number } {
  let failures = 0;
  let pauses = 0;
  let partial = '';
  const scan = (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('processEvent failed')) failures += 1;
      else if (line.includes('processEvent is paused')) pauses += 1;
    }
  };
  child.stdout?.on('data', scan);
  child.stderr?.on('data', scan);
  return { failures: () => failures, pauses: () => pauses };
}

interface StartedServer {
  server: ChildProcess;
  port: number;
  warnings: ReturnType<typeof countPluginWarnings>;
}

async function startServer(variant: Variant, baseEnv: NodeJS.ProcessEnv): Promise<StartedServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...baseEnv, PORT: String(port), PLUGINS: variant.plugins };
  const server = track(spawn(process.execPath, [CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const warnings = countPluginWarnings(server);
  const err = tailOf(server.stderr);
  const out = tailOf(server.stdout);
  server.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM')
      log(`faultline (${variant.name}) exited (${signal ?? code}):\n${err()}\n${out()}`);
  });
  await waitForHttp(`http://127.0.0.1:${port}/_health`, 60_000, () => server.exitCode === null);
  return { server, port, warnings };
}

/**
 * Once, before the measured runs: load a server without plugins for a moment, so the issues exist and
 * every measured run does the same work (updating them). Each measured run then starts its own server
 * and measures from its first event, so a plugin's first failures (before the host pauses it) count.
 */
async function prime(
  settings: Settings,
  baseEnv: NodeJS.ProcessEnv,
  jobBase: LoadTarget,
  progress: Progress,
): Promise<void> {
  const { server, port } = await startServer({ name: 'prime', plugins: '' }, baseEnv);
  try {
    await runLoad({
      ...jobBase,
      port,
      concurrency: settings.concurrency,
      mode: 'closed',
      rate: 0,
      label: 'prime',
      durationMs: settings.warmupMs,
    });
    await progress.waitDrained(settings.drainTimeoutMs);
  } finally {
    await stopChild(server, 20_000);
  }
}

type LoadTarget = { host: string; path: string; publicKey: string; graceMs: number };

async function runVariant(
  variant: Variant,
  settings: Settings,
  baseEnv: NodeJS.ProcessEnv,
  jobBase: LoadTarget,
  progress: Progress,
): Promise<RunResult> {
  const { server, port, warnings } = await startServer(variant, baseEnv);
  try {
    const backgroundCores = await waitForQuiet(settings.quietWaitMs);
    if (backgroundCores >= 0.25)
      log(`warning: ${backgroundCores.toFixed(2)} cores busy with other work before "${variant.name}"`);
    const phase = await serverPhase(
      settings.drainTimeoutMs,
      progress,
      { server },
      {
        ...jobBase,
        port,
        concurrency: settings.concurrency,
        mode: 'closed',
        rate: 0,
        label: variant.name,
        durationMs: settings.durationMs,
      },
    );
    log(
      `${variant.name}: ${fmtInt(phase.acceptedPerSecond)} accepted/s, ${fmtInt(phase.processedPerSecondDuringLoad)} processed/s, ` +
        `p99 ${fmtMs(phase.load.latency.p99)}`,
    );
    return {
      variant,
      phase,
      pluginFailures: warnings.failures(),
      pluginPauses: warnings.pauses(),
      backgroundCores,
    };
  } finally {
    await stopChild(server, 20_000);
  }
}

const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}×` : '–');

async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  const watchdog = setTimeout(() => {
    log(`gave up after ${WATCHDOG_MS / 1000} s; stopping everything`);
    void cleanup().finally(() => process.exit(2));
  }, WATCHDOG_MS);
  const startedAt = Date.now();
  const variants: Variant[] = [
    { name: 'no plugin', plugins: '' },
    { name: 'hanging processEvent', plugins: path.join(PLUGINS_DIR, 'hanging.js') },
    { name: 'busy-looping processEvent', plugins: path.join(PLUGINS_DIR, 'busy-loop.js') },
  ];
  if (settings.slow)
    variants.push({ name: 'slow processEvent (2 ms, succeeds)', plugins: path.join(PLUGINS_DIR, 'slow.js') });
  // The baseline again at the end: the difference between its two runs shows how far the machine drifted.
  variants.push({ name: 'no plugin, again', plugins: '' });

  const database = await createPostgresDatabase();
  cleanups.push(() => database.drop());
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    SECRET_KEY: process.env.SECRET_KEY || randomBytes(32).toString('base64'),
  };
  delete baseEnv.NODE_OPTIONS;
  for (const key of Object.keys(baseEnv)) if (key.startsWith('PLUGIN_CONFIG_')) delete baseEnv[key];
  const boot = await runNode(
    CLI,
    ['bootstrap', '--json'],
    { ...baseEnv, PORT: String(await freePort()) },
    120_000,
  );
  const { dsn } = JSON.parse(boot.trim().split('\n').pop() ?? '{}') as { dsn?: string };
  if (!dsn) throw new Error(`bootstrap printed no DSN: ${boot}`);
  const dsnUrl = new URL(dsn);
  const publicKey = decodeURIComponent(dsnUrl.username);
  const projectId = dsnUrl.pathname.replace(/^\/+|\/+$/g, '');
  const jobBase = {
    host: '127.0.0.1',
    path: `/api/${projectId}/envelope/?sentry_version=7&sentry_key=${publicKey}&sentry_client=sentry.javascript.node%2F11.12.0`,
    publicKey,
    graceMs: 10_000,
  };
  const client = new Client({ connectionString: database.url, application_name: 'faultline-bench' });
  await client.connect();
  cleanups.push(() => client.end());
  const progress = new PostgresProgress(client);

  log(
    `${variants.length} runs of ${settings.durationMs / 1000} s, closed loop with ${settings.concurrency} in flight, ` +
      `${os.cpus().length} CPUs`,
  );
  await prime(settings, baseEnv, jobBase, progress);
  const results: RunResult[] = [];
  for (const variant of variants)
    results.push(await runVariant(variant, settings, baseEnv, jobBase, progress));
  await cleanup();
  clearTimeout(watchdog);

  // Ratios are to the mean of the two runs without plugins.
  const baselines = results.filter((r) => !r.variant.plugins).map((r) => r.phase);
  const mean = (pick: (phase: ServerPhase) => number) =>
    baselines.reduce((sum, phase) => sum + pick(phase), 0) / baselines.length;
  const base = {
    acceptedPerSecond: mean((p) => p.acceptedPerSecond),
    processedPerSecondDuringLoad: mean((p) => p.processedPerSecondDuringLoad),
    p99: mean((p) => p.load.latency.p99),
  };
  const rows = [
    [
      'run',
      'accepted/s',
      '',
      'processed/s',
      '',
      'p50',
      'p99',
      '',
      'queued at stop',
      'drained in',
      'cut off / paused',
      'failures',
    ],
    ...results.map(({ variant, phase, pluginFailures, pluginPauses, backgroundCores }) => [
      variant.name + (backgroundCores >= 0.25 ? ' (noisy!)' : ''),
      fmtInt(phase.acceptedPerSecond),
      ratio(phase.acceptedPerSecond, base.acceptedPerSecond),
      fmtInt(phase.processedPerSecondDuringLoad),
      ratio(phase.processedPerSecondDuringLoad, base.processedPerSecondDuringLoad),
      fmtMs(phase.load.latency.p50),
      fmtMs(phase.load.latency.p99),
      ratio(phase.load.latency.p99, base.p99),
      fmtInt(phase.atDeadline.queued),
      phase.drained ? `${phase.drainSeconds.toFixed(1)} s` : `> ${phase.drainSeconds.toFixed(0)} s`,
      variant.plugins ? `${pluginFailures} / ${pluginPauses}` : '–',
      failuresText(phase.load),
    ]),
  ];
  process.stdout.write(
    [
      '',
      `Faultline plugin isolation benchmark: ${settings.durationMs / 1000} s per run, ${os.cpus().length} CPUs, ` +
        `Node ${process.version}, ${Math.round((Date.now() - startedAt) / 1000)} s in all`,
      '',
      table(rows),
      '',
      'processed/s is measured in the database during the load window; ratios are to the mean of the two runs',
      'without plugins (first and last).',
      'Each run starts its own server and measures from its first event. "cut off / paused": processEvent',
      'calls the host abandoned at the time budget during the run, and the pauses it then imposed on the',
      'plugin (after 3 failures in a row: 1 s, doubling up to 5 min).',
      '',
    ].join('\n'),
  );
  process.stdout.write(
    JSON.stringify({
      benchmark: 'plugins',
      durationSeconds: settings.durationMs / 1000,
      concurrency: settings.concurrency,
      runs: results.map(({ variant, phase, pluginFailures, pluginPauses, backgroundCores }) => ({
        name: variant.name,
        acceptedPerSecond: round(phase.acceptedPerSecond),
        processedPerSecond: round(phase.processedPerSecondDuringLoad),
        processedPerSecondEndToEnd: round(phase.processedPerSecondEndToEnd),
        p50AckMs: round(phase.load.latency.p50, 2),
        p99AckMs: round(phase.load.latency.p99, 2),
        acceptedRatio: round(phase.acceptedPerSecond / base.acceptedPerSecond, 3),
        processedRatio: round(phase.processedPerSecondDuringLoad / base.processedPerSecondDuringLoad, 3),
        p99Ratio: round(phase.load.latency.p99 / base.p99, 3),
        queuedAtStop: phase.atDeadline.queued,
        drainSeconds: round(phase.drainSeconds, 2),
        drained: phase.drained,
        pluginCallsCutOff: pluginFailures,
        pluginPauses,
        backgroundCores: round(backgroundCores, 2),
      })),
    }) + '\n',
  );
}

runBenchmark(main);
