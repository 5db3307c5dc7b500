/**
 * Hostile-load benchmark: `npm run bench:hostile` (after `tsc -b`).
 *
 * What is the most memory a `faultline start` with the shipped defaults takes when attacked? For each
 * database (a fresh Postgres database, and embedded PGlite in a temporary DATA_DIR), one server is
 * started and its resident set size (RSS, from /proc) sampled every 100 ms:
 *   1. idle for a few seconds after start-up: the baseline of the same run;
 *   2. under hostile load for --duration seconds, all at once:
 *      - compression bombs: gzip bodies of ~100 KiB that inflate to 99 MiB (an attachment, which is
 *        stored, or an item of an unknown type, which is skipped) and to 120 MiB (over the cap), from
 *        --bombs clients in parallel;
 *      - stalled clients: --stalled connections that send half a chunked envelope and then nothing,
 *        reconnecting as soon as they are cut off;
 *      - fuzzed requests: envelopes and API calls made of hostile parts (core/src/testing/hostile-input.ts,
 *        seeded), from 4 clients;
 *      - one well-behaved SDK sending small events, whose answers show whether real traffic still
 *        gets through.
 * Prints the idle and peak RSS per database, the answers by status, and one JSON line.
 *
 * Settings (flag or environment): --duration / BENCH_DURATION (seconds of hostile load, 20),
 * --bombs / BENCH_BOMBS (8), --stalled / BENCH_STALLED (50), --database / BENCH_DATABASE
 * (postgres, embedded or both; both), --seed / BENCH_SEED (fuzz seed, 1).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { createPostgresDatabase } from '../core/src/testing/databases';
import { envelopeRequest, jsonBody, queryString } from '../core/src/testing/hostile-input';
import { cleanup, cleanups, log, runBenchmark, runNode, track } from './lib/harness';
import { BenchFlags } from './lib/flags';
import { freePort, sleep, stopChild, tailOf, waitForHttp } from './lib/proc';
import { Samples, fmtInt, fmtMs, round, table } from './lib/stats';

const ROOT = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist`) ? '../..' : '..');
const CLI = path.join(ROOT, 'core', 'dist', 'cli', 'main.js');
const MiB = 1024 * 1024;
const IDLE_MS = 5000;
const SAMPLE_MS = 100;
const REQUEST_TIMEOUT_MS = 30_000;

type DatabaseKind = 'postgres' | 'embedded';

interface Settings {
  durationMs: number;
  bombs: number;
  stalled: number;
  databases: DatabaseKind[];
  seed: number;
}

function readSettings(argv: string[]): Settings {
  const flags = new BenchFlags(argv);
  const database = flags.text('database', 'BENCH_DATABASE') || 'both';
  if (!['postgres', 'embedded', 'both'].includes(database))
    throw new Error(`--database / BENCH_DATABASE must be postgres, embedded or both (got ${database})`);
  return {
    durationMs: flags.num('duration', 'BENCH_DURATION', 20, 1, 600) * 1000,
    bombs: Math.round(flags.num('bombs', 'BENCH_BOMBS', 8, 0, 256)),
    stalled: Math.round(flags.num('stalled', 'BENCH_STALLED', 50, 0, 5000)),
    databases: database === 'both' ? ['postgres', 'embedded'] : [database as DatabaseKind],
    seed: Math.round(flags.num('seed', 'BENCH_SEED', 1, 0, 2 ** 31)),
  };
}

/** Resident set size of a process in bytes, from /proc (Linux). */
function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Samples a process's RSS until stopped; the peak and the median of what it saw. */
function sampleRss(pid: number): () => { peak: number; median: number } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    try {
      samples.push(rssBytes(pid));
    } catch {
      // The process is gone; the samples so far stand.
    }
  }, SAMPLE_MS);
  return () => {
    clearInterval(timer);
    const sorted = [...samples].sort((a, b) => a - b);
    return { peak: sorted.at(-1) ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0 };
  };
}

interface Target {
  port: number;
  projectId: string;
  publicKey: string;
  token: string;
}

/** One HTTP request without keep-alive; resolves with the status (0: the connection failed). */
function send(
  port: number,
  request: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: request.method,
        path: request.path,
        headers: request.headers,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    // A server that stopped answering must not hold the benchmark up: past this, the request counts
    // as a failed connection.
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy());
    req.end(request.body);
  });
}

/** A gzip body inflating to an envelope of `inflatedBytes`, its one item of `itemType`. */
function bomb(inflatedBytes: number, itemType: string): Buffer {
  const header = Buffer.from(`{}\n{"type":"${itemType}"}\n`);
  return zlib.gzipSync(Buffer.concat([header, Buffer.alloc(inflatedBytes - header.length, 0)]), { level: 9 });
}

/** Tallies answers by status for one kind of client. */
class Tally {
  readonly byStatus = new Map<number, number>();
  readonly latencies = new Samples();
  add(status: number, ms?: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    if (ms !== undefined) this.latencies.add(ms);
  }
  get total(): number {
    return [...this.byStatus.values()].reduce((a, b) => a + b, 0);
  }
  text(): string {
    return [...this.byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status === 0 ? 'conn. failed' : status}: ${fmtInt(n)}`)
      .join(', ');
  }
}

interface Attack {
  bombs: Tally;
  stalled: Tally;
  fuzz: Tally;
  sdk: Tally;
}

async function attack(target: Target, settings: Settings, until: number): Promise<Attack> {
  const result: Attack = { bombs: new Tally(), stalled: new Tally(), fuzz: new Tally(), sdk: new Tally() };
  const ingestPath = `/api/${target.projectId}/envelope/?sentry_key=${target.publicKey}`;
  const bodies = [
    bomb(99 * MiB, 'attachment'),
    bomb(99 * MiB, 'unknown_kind'),
    bomb(120 * MiB, 'unknown_kind'),
  ];
  const loops: Promise<void>[] = [];

  for (let i = 0; i < settings.bombs; i++) {
    loops.push(
      (async () => {
        for (let n = i; Date.now() < until; n++) {
          const body = bodies[n % bodies.length];
          const status = await send(target.port, {
            method: 'POST',
            path: ingestPath,
            headers: { 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) },
            body,
          });
          result.bombs.add(status);
          // Told to come back later, a polite client would wait; an attacker doesn't.
        }
      })(),
    );
  }

  for (let i = 0; i < settings.stalled; i++) {
    loops.push(
      (async () => {
        while (Date.now() < until) {
          const status = await stall(target.port, ingestPath, until);
          result.stalled.add(status);
        }
      })(),
    );
  }

  const requests = fuzzRequests(target, settings.seed);
  for (let i = 0; i < 4; i++) {
    loops.push(
      (async () => {
        for (let n = i; Date.now() < until; n += 4) {
          result.fuzz.add(await send(target.port, requests[n % requests.length]));
        }
      })(),
    );
  }

  loops.push(
    (async () => {
      while (Date.now() < until) {
        const body = Buffer.from(
          `{"event_id":"${randomBytes(16).toString('hex')}"}\n{"type":"event"}\n{"message":"a real error","level":"error"}\n`,
        );
        const started = performance.now();
        const status = await send(target.port, { method: 'POST', path: ingestPath, headers: {}, body });
        result.sdk.add(status, performance.now() - started);
        await sleep(50);
      }
    })(),
  );
  await Promise.all(loops);
  return result;
}

/**
 * Sends the headers and half a chunked envelope, then nothing. Resolves with the status the server
 * answered before cutting the connection (0 for none), or -1 if the run ended first.
 */
function stall(port: number, ingestPath: string, until: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const chunk = '{}\n{"type":"event"}\n{"message":"';
      socket.write(
        `POST ${ingestPath} HTTP/1.1\r\nHost: bench\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
      );
    });
    let answer = '';
    socket.on('data', (data) => (answer += data.toString('latin1')));
    socket.on('error', () => {});
    const timer = setTimeout(() => socket.destroy(), Math.max(0, until - Date.now()));
    socket.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      resolve(status ? Number(status[1]) : Date.now() >= until ? -1 : 0);
    });
  });
}

/** A fixed, seeded set of hostile requests: envelopes and API calls. */
function fuzzRequests(
  target: Target,
  seed: number,
): { method: string; path: string; headers: Record<string, string>; body?: Buffer }[] {
  const envelopes = fc.sample(
    envelopeRequest({ validKey: target.publicKey, projectId: Number(target.projectId) }),
    { seed, numRuns: 300 },
  );
  const api = fc.sample(fc.tuple(queryString(['query', 'cursor', 'limit']), jsonBody(['name', 'slug'])), {
    seed,
    numRuns: 200,
  });
  return [
    ...envelopes.map((e) => ({ method: 'POST', ...e })),
    ...api.flatMap(([query, body], i) => [
      {
        method: 'GET',
        path: `/api/0/organizations/${i % 2 ? 'acme' : '%00'}/issues/?${query}`,
        headers: { Authorization: `Bearer ${target.token}` },
      },
      {
        method: 'PUT',
        path: '/api/0/teams/acme/acme-team/',
        headers: {
          Authorization: `Bearer ${target.token}`,
          ...(body.contentType ? { 'Content-Type': body.contentType } : {}),
        },
        body: body.bytes,
      },
    ]),
  ];
}

interface DatabaseResult {
  kind: DatabaseKind;
  idleRss: number;
  peakRss: number;
  medianRss: number;
  attack: Attack;
  aliveAfter: boolean;
}

async function runOn(kind: DatabaseKind, settings: Settings): Promise<DatabaseResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-hostile-'));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'error', HOST: '127.0.0.1', DATA_DIR: dataDir };
  delete env.NODE_OPTIONS;
  delete env.DATABASE_URL;
  if (kind === 'postgres') {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    env.DATABASE_URL = database.url;
    env.SECRET_KEY = randomBytes(32).toString('base64');
  }
  const boot = await runNode(
    CLI,
    ['bootstrap', '--json', '--org', 'acme', '--team', 'acme-team'],
    { ...env, PORT: String(await freePort()) },
    120_000,
  );
  const booted = JSON.parse(boot.trim().split('\n').pop() ?? '{}') as { dsn?: string; token?: string };
  if (!booted.dsn) throw new Error(`bootstrap printed no DSN: ${boot}`);
  const dsn = new URL(booted.dsn);

  const port = await freePort();
  const server: ChildProcess = track(
    spawn(process.execPath, [CLI, 'start'], {
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const err = tailOf(server.stderr);
  const out = tailOf(server.stdout);
  server.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM')
      log(`faultline (${kind}) exited (${signal ?? code}):\n${err()}\n${out()}`);
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/_health`, 60_000, () => server.exitCode === null);
    const pid = server.pid!;
    log(`${kind}: idle for ${IDLE_MS / 1000} s`);
    const idle = sampleRss(pid);
    await sleep(IDLE_MS);
    const idleRss = idle().median;
    log(
      `${kind}: idle RSS ${(idleRss / MiB).toFixed(0)} MiB; hostile load for ${settings.durationMs / 1000} s`,
    );
    const loaded = sampleRss(pid);
    const target: Target = {
      port,
      projectId: dsn.pathname.replace(/^\/+|\/+$/g, ''),
      publicKey: decodeURIComponent(dsn.username),
      token: booted.token ?? '',
    };
    const result = await attack(target, settings, Date.now() + settings.durationMs);
    const rss = loaded();
    const aliveAfter = (await send(port, { method: 'GET', path: '/_health', headers: {} })) === 200;
    log(`${kind}: peak RSS ${(rss.peak / MiB).toFixed(0)} MiB`);
    return { kind, idleRss, peakRss: rss.peak, medianRss: rss.median, attack: result, aliveAfter };
  } finally {
    await stopChild(server, 20_000);
  }
}

async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  if (!fs.existsSync('/proc/self/status'))
    throw new Error('this benchmark reads RSS from /proc (Linux only)');
  const startedAt = Date.now();
  const results: DatabaseResult[] = [];
  for (const kind of settings.databases) results.push(await runOn(kind, settings));
  await cleanup();

  const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
  const rows = [
    [
      'database',
      'idle RSS',
      'peak RSS',
      'median RSS',
      'bombs',
      'stalled',
      'fuzzed',
      'SDK events',
      'SDK p99',
      'alive',
    ],
    ...results.map((r) => [
      r.kind,
      mib(r.idleRss),
      mib(r.peakRss),
      mib(r.medianRss),
      r.attack.bombs.text(),
      r.attack.stalled.text(),
      r.attack.fuzz.text(),
      r.attack.sdk.text(),
      fmtMs(r.attack.sdk.latencies.summary().p99),
      r.aliveAfter ? 'yes' : 'NO',
    ]),
  ];
  process.stdout.write(
    [
      '',
      `Faultline under hostile load: ${settings.durationMs / 1000} s per database, ${settings.bombs} bomb clients, ` +
        `${settings.stalled} stalled connections, 4 fuzzing clients, 1 SDK; ${os.cpus().length} CPUs, ` +
        `Node ${process.version}, ${Math.round((Date.now() - startedAt) / 1000)} s in all`,
      '',
      table(rows),
      '',
      'RSS of the faultline start process, sampled every 100 ms: idle is the median over 5 s after start-up,',
      'peak and median are over the hostile load. Answers by status (a stalled connection that ended with',
      'the run counts as -1; "conn. failed": cut without an answer).',
      '',
    ].join('\n'),
  );
  process.stdout.write(
    JSON.stringify({
      benchmark: 'hostile',
      durationSeconds: settings.durationMs / 1000,
      bombs: settings.bombs,
      stalled: settings.stalled,
      seed: settings.seed,
      runs: results.map((r) => ({
        database: r.kind,
        idleRssMiB: round(r.idleRss / MiB),
        peakRssMiB: round(r.peakRss / MiB),
        medianRssMiB: round(r.medianRss / MiB),
        bombs: Object.fromEntries(r.attack.bombs.byStatus),
        stalled: Object.fromEntries(r.attack.stalled.byStatus),
        fuzzed: Object.fromEntries(r.attack.fuzz.byStatus),
        sdk: Object.fromEntries(r.attack.sdk.byStatus),
        sdkP99Ms: round(r.attack.sdk.latencies.summary().p99, 2),
        aliveAfter: r.aliveAfter,
      })),
    }) + '\n',
  );
}

runBenchmark(main);
