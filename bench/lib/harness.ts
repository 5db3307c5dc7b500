/**
 * What the benchmarks share: child processes that never outlive a run, the load generator in its own
 * process, and one measured load phase against a running Faultline (accepted and processed per second,
 * latency, queue lag, CPU), read from the database it writes to or, embedded, through its API
 * (lib/progress.ts).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import path from 'node:path';
import { CpuMeter, commandCpuCounter, processCpuSeconds, stopChild } from './proc';
import type { DbSample, Progress } from './progress';
import type { LoadJob, LoadMessage, LoadResult } from './protocol';

export { every } from './every';
export { PostgresProgress, type DbSample, type Progress } from './progress';

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
 * `hooks.atDeadline` runs when the window closes; `hooks.onAccepted` hears the number of 200s so far
 * while the load runs, last just before the deadline.
 */
export function runLoad(
  job: Omit<LoadJob, 'type'>,
  hooks: {
    beforeStart?: () => Promise<void>;
    atDeadline?: () => Promise<void> | void;
    onAccepted?: (acceptedSoFar: number) => void;
  } = {},
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
      } else if (message.type === 'accepted') {
        hooks.onAccepted?.(message.okTotal);
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
        // Embedded, Postgres (PGlite) is part of the server process's CPU.
        ...(progress.database === 'postgres'
          ? { postgres: commandCpuCounter('postgres', () => pgPids) }
          : {}),
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
    onAccepted: (acceptedSoFar) => progress.noteAccepted(job.label, acceptedSoFar),
  });
  progress.noteAccepted(job.label, load.okTotal);
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
