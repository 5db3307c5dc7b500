/**
 * What the benchmarks share: child processes that never outlive a run, the load generator in its own
 * process, and one measured load phase against a running Faultline (accepted and processed per second,
 * latency, queue lag, CPU), read from the database it writes to.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import path from 'node:path';
import type { Client } from 'pg';
import { CpuMeter, commandCpuCounter, processCpuSeconds, sleep, stopChild } from './proc';
import type { LoadJob, LoadMessage, LoadResult } from './protocol';
import { round } from './stats';

const EXT = path.extname(__filename);
/** Children run the same flavour as this file: TypeScript through tsx, or the compiled build. */
export const CHILD_EXEC_ARGV = EXT === '.ts' ? ['--import', 'tsx'] : [];
const LOAD_GENERATOR = path.join(__dirname, `load-generator${EXT}`);

/** On a terminal, a progress bar for the window under way; elsewhere nothing (phases log a line each). */
export function showProgress(label: string, durationMs: number): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const startedAt = Date.now();
  const draw = () => {
    const done = Math.min(1, (Date.now() - startedAt) / durationMs);
    const bar = '#'.repeat(Math.round(done * 30)).padEnd(30, '.');
    process.stderr.write(
      `\r[bench] ${label} [${bar}] ${Math.round((done * durationMs) / 1000)}/${durationMs / 1000} s`,
    );
  };
  draw();
  const timer = setInterval(draw, 250);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

/** Everything that must not outlive the benchmark. */
export const cleanups: (() => Promise<void>)[] = [];
export const children = new Set<ChildProcess>();

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function cleanup(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, 5000)));
  for (const fn of cleanups.splice(0).reverse()) {
    await fn().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
}

/** Runs a node script to completion and returns its stdout. */
export function runNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `${path.basename(script)} ${args.join(' ')} failed (${signal ?? code}): ${err.trim().slice(-2000)}`,
          ),
        );
    });
  });
}

/**
 * Runs one load phase in a fresh generator process. `hooks.beforeStart` runs once the generator is
 * ready and before it starts (so the window's first sample is not taken during its start-up);
 * `hooks.atDeadline` runs when the window closes.
 */
export function runLoad(
  job: Omit<LoadJob, 'type'>,
  hooks: { beforeStart?: () => Promise<void>; atDeadline?: () => Promise<void> | void } = {},
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = track(
      fork(LOAD_GENERATOR, [], { execArgv: CHILD_EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    let deadlineWork: Promise<void> = Promise.resolve();
    let stopProgress = (): void => undefined;
    let settled = false;
    // Settles once; also stops the progress bar and the time limit, whatever ended the phase.
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      stopProgress();
      clearTimeout(limit);
      outcome();
    };
    const limit = setTimeout(
      () => {
        child.kill('SIGKILL');
        finish(() => reject(new Error(`load generator (${job.label}) did not finish in time`)));
      },
      job.durationMs + job.graceMs + 60_000,
    );
    child.on('message', (message: LoadMessage) => {
      if (message.type === 'ready') {
        (hooks.beforeStart ?? (async () => undefined))().then(
          () => {
            child.send({ type: 'run', ...job } satisfies LoadJob);
            stopProgress = showProgress(job.label, job.durationMs);
          },
          (error: unknown) => {
            child.kill('SIGKILL');
            finish(() => reject(error instanceof Error ? error : new Error(String(error))));
          },
        );
      } else if (message.type === 'deadline') {
        stopProgress();
        deadlineWork = Promise.resolve(hooks.atDeadline?.());
      } else if (message.type === 'fatal') {
        finish(() => reject(new Error(`load generator (${job.label}): ${message.message}`)));
      } else if (message.type === 'result') {
        finish(() => deadlineWork.then(() => resolve(message.result), reject));
      }
    });
    child.once('exit', (code) => {
      finish(() => reject(new Error(`load generator (${job.label}) exited with ${code} before reporting`)));
    });
  });
}

export interface DbSample {
  at: number;
  processed: number;
  queued: number;
  /** Transactions committed in this database so far (pg_stat_database; updated with a small delay). */
  commits: number;
}

/**
 * Runs `body` every `everyMs` (first right away when `immediate`) until stopped. `stop()` cuts the
 * pause short and resolves once a body in progress has finished.
 */
export function every(
  everyMs: number,
  immediate: boolean,
  body: () => Promise<void>,
): { stop: () => Promise<void> } {
  let running = true;
  let cutPause: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      cutPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    const startedAt = Date.now();
    for (let n = immediate ? 0 : 1; running; n++) {
      const wait = startedAt + n * everyMs - Date.now();
      if (wait > 0) await pause(wait);
      if (running) await body();
    }
  })();
  return {
    stop: () => {
      running = false;
      cutPause?.();
      return loop;
    },
  };
}

/** Reads progress from the database: events stored into issues so far, and rows still queued. */
export class Progress {
  constructor(private readonly client: Client) {}

  async sample(): Promise<DbSample> {
    const { rows } = await this.client.query<{ processed: string; queued: string; commits: string }>(
      `SELECT (SELECT coalesce(sum(times_seen), 0) FROM issues)::bigint AS processed,
              (SELECT count(*) FROM raw_events)::bigint AS queued,
              (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::bigint AS commits`,
    );
    return {
      at: Date.now(),
      processed: Number(rows[0].processed),
      queued: Number(rows[0].queued),
      commits: Number(rows[0].commits),
    };
  }

  /**
   * Samples what the server's Postgres sessions are doing every `everyMs`: on CPU, waiting on a lock
   * or on I/O (wait_event), or idle inside a transaction waiting for Node ("ClientRead"). Shares of
   * session-samples; tells whether Postgres or the Node process is the one being waited for.
   */
  sampleWaits(everyMs: number): { stop: () => Promise<Record<string, number>> } {
    const counts = new Map<string, number>();
    let total = 0;
    const ticker = every(everyMs, true, async () => {
      const { rows } = await this.client.query<{ w: string; n: string }>(
        `SELECT CASE
                  WHEN state = 'active' THEN 'active: ' || coalesce(wait_event_type || '/' || wait_event, 'CPU')
                  WHEN state = 'idle in transaction' THEN 'in transaction, waiting for Node'
                  ELSE 'idle'
                END AS w, count(*) AS n
           FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
          GROUP BY 1`,
      );
      for (const row of rows) {
        counts.set(row.w, (counts.get(row.w) ?? 0) + Number(row.n));
        total += Number(row.n);
      }
    });
    return {
      stop: async () => {
        await ticker.stop();
        const shares: Record<string, number> = {};
        for (const [w, n] of [...counts].sort((a, b) => b[1] - a[1])) {
          shares[w] = round((n / Math.max(1, total)) * 100, 1);
        }
        return shares;
      },
    };
  }

  /**
   * Postgres processes working for this benchmark: the sessions of its database (server pools, the
   * pipeline, autovacuum on its tables) and the cluster's background processes (WAL writer,
   * checkpointer…). Sessions of other databases on the same server are not counted.
   */
  async ourPids(): Promise<Set<number>> {
    const { rows } = await this.client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL`,
    );
    return new Set(rows.map((r) => r.pid));
  }

  /** After `first`, samples every `everyMs` until stopped: the time series of a window. */
  record(everyMs: number, first: DbSample): { samples: DbSample[]; stop: () => Promise<void> } {
    const samples: DbSample[] = [first];
    const ticker = every(everyMs, false, async () => {
      samples.push(await this.sample());
    });
    return { samples, stop: () => ticker.stop() };
  }

  /** Polls until the queue is empty or `timeoutMs` passes; returns the sample that saw it empty (or the last). */
  async waitDrained(timeoutMs: number): Promise<{ sample: DbSample; drained: boolean }> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const sample = await this.sample();
      if (sample.queued === 0) return { sample, drained: true };
      if (Date.now() >= until) return { sample, drained: false };
      await sleep(100);
    }
  }
}

export interface ServerPhase {
  load: LoadResult;
  acceptedPerSecond: number;
  start: DbSample;
  atDeadline: DbSample;
  drainedAt: DbSample;
  drained: boolean;
  /** Seconds from the end of the load until raw_events was empty (or the drain timeout). */
  drainSeconds: number;
  processedPerSecondDuringLoad: number;
  processedPerSecondWhileDraining: number;
  /** Events processed from window start until drained, over that whole time: the sustainable rate. */
  processedPerSecondEndToEnd: number;
  cpu: Record<string, number>;
  /** Postgres commits per second in the window (ingest flushes + pipeline batches + the bench's own reads). */
  commitsPerSecond: number;
  /** Percent of sampled Postgres sessions in each state during the window. */
  waits: Record<string, number>;
  series: { second: number; accepted: number; processed: number; queued: number }[];
}

export async function serverPhase(
  drainTimeoutMs: number,
  progress: Progress,
  processes: Record<string, ChildProcess>,
  job: Omit<LoadJob, 'type' | 'label'> & { label: string },
): Promise<ServerPhase> {
  let start: DbSample | undefined;
  let meter: CpuMeter | undefined;
  let pgPids = new Set<number>();
  let mainThread: CpuMeter | undefined;
  let serverMainThread = NaN;
  let recorder: ReturnType<Progress['record']> | undefined;
  let waitSampler: ReturnType<Progress['sampleWaits']> | undefined;
  let atDeadline: DbSample | undefined;
  let cpuAtDeadline: Record<string, number> = {};
  let waits: Record<string, number> = {};
  const load = await runLoad(job, {
    beforeStart: async () => {
      start = await progress.sample();
      pgPids = await progress.ourPids();
      meter = new CpuMeter({
        ...Object.fromEntries(
          Object.entries(processes).map(([name, child]) => [name, () => processCpuSeconds(child.pid ?? 0)]),
        ),
        postgres: commandCpuCounter('postgres', () => pgPids),
      });
      // The server's main thread on its own: it answers every request, so it must not be saturated.
      const pid = processes.server.pid ?? 0;
      mainThread = new CpuMeter({ main: () => processCpuSeconds(pid, pid) });
      recorder = progress.record(1000, start);
      waitSampler = progress.sampleWaits(100);
    },
    atDeadline: async () => {
      for (const pid of await progress.ourPids()) pgPids.add(pid);
      cpuAtDeadline = meter?.read() ?? {};
      serverMainThread = mainThread?.read().main ?? NaN;
      void recorder?.stop();
      void waitSampler?.stop();
      atDeadline = await progress.sample();
    },
  });
  if (!start || !recorder || !waitSampler) throw new Error(`${job.label}: the load never started`);
  // The generator always reports its deadline; sample now if it somehow did not.
  atDeadline ??= await progress.sample();
  await recorder.stop();
  waits = await waitSampler.stop();
  const { sample: drainedAt, drained } = await progress.waitDrained(drainTimeoutMs);
  const windowSeconds = (atDeadline.at - start.at) / 1000;
  const drainSeconds = (drainedAt.at - atDeadline.at) / 1000;
  const samples = recorder.samples;
  const series = samples.slice(1).map((s, i) => {
    const prev = samples[i];
    return {
      second: i + 1,
      accepted: load.perSecond[i] ?? 0,
      processed: Math.round(((s.processed - prev.processed) * 1000) / Math.max(1, s.at - prev.at)),
      queued: s.queued,
    };
  });
  const cpu: Record<string, number> = { ...cpuAtDeadline, generator: load.cpuCores, serverMainThread };
  cpu.other = Math.max(0, (cpu.other ?? 0) - load.cpuCores);
  return {
    load,
    acceptedPerSecond: load.okInWindow / (load.windowMs / 1000),
    start,
    atDeadline,
    drainedAt,
    drained,
    drainSeconds,
    processedPerSecondDuringLoad: (atDeadline.processed - start.processed) / windowSeconds,
    processedPerSecondWhileDraining:
      drainSeconds > 0 ? (drainedAt.processed - atDeadline.processed) / drainSeconds : NaN,
    processedPerSecondEndToEnd: (drainedAt.processed - start.processed) / (windowSeconds + drainSeconds),
    cpu,
    commitsPerSecond: (atDeadline.commits - start.commits) / windowSeconds,
    waits,
    series,
  };
}

export function failuresText(load: LoadResult): string {
  const parts = Object.entries(load.failures).map(([k, n]) => `${n}× ${k}`);
  if (load.skipped) parts.push(`${load.skipped} skipped`);
  if (load.abandoned) parts.push(`${load.abandoned} unanswered`);
  return parts.length === 0
    ? 'none'
    : parts.join(', ') + (load.sampleFailure ? ` (first: ${load.sampleFailure})` : '');
}

/**
 * CPU time per event in each place that works on it, from the cores each used during the window:
 * the HTTP main thread per accepted event; the server's other threads (the pipeline, plugin threads)
 * and Postgres per event processed in the window. Unlike events/s, these hold still when the
 * machine's speed drifts between runs, so they compare versions more fairly.
 */
export function cpuMicrosPerEvent(phase: ServerPhase): { http: number; pipeline: number; postgres: number } {
  const perEvent = (cores: number, rate: number) => (rate > 0 ? (cores * 1e6) / rate : NaN);
  const main = phase.cpu.serverMainThread;
  return {
    http: perEvent(main, phase.acceptedPerSecond),
    pipeline: perEvent(
      (phase.cpu.server ?? NaN) - main + (phase.cpu.worker ?? 0),
      phase.processedPerSecondDuringLoad,
    ),
    postgres: perEvent(phase.cpu.postgres ?? NaN, phase.processedPerSecondDuringLoad),
  };
}

export const cpuText = (cpu: Record<string, number>) =>
  ['server', 'serverMainThread', 'worker', 'bare', 'postgres', 'generator', 'irq', 'other']
    .filter((k) => cpu[k] !== undefined)
    .map(
      (k) =>
        `${k === 'serverMainThread' ? '(main thread' : k} ${cpu[k].toFixed(2)}${k === 'serverMainThread' ? ')' : ''}`,
    )
    .join(', ');

/**
 * Runs a benchmark's `main`: children and servers are cleaned up on Ctrl-C, SIGTERM and failure, so
 * an interrupted run leaves no process behind.
 */
export function runBenchmark(main: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  main().catch(async (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanup();
    process.exit(1);
  });
}
