/** Process plumbing for the benchmark: ports, CPU accounting from /proc, child lifetimes. */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU seconds (user + system) a process (or one of its threads: the main thread's id is the pid)
 * has used so far; 0 if it is gone or /proc is unavailable.
 */
export function processCpuSeconds(pid: number, thread?: number): number {
  try {
    const stat = fs.readFileSync(
      thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
      'utf8',
    );
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by each live process whose command name is `comm` (e.g. Postgres backends). */
export function commandCpuByPid(comm: string): Map<number, number> {
  const byPid = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return byPid;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== comm) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byPid.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // the process ended while we looked
    }
  }
  return byPid;
}

/**
 * A running total of the CPU used by processes named `comm` since the counter was made: per-pid
 * deltas, so backends that exit meanwhile (other databases' sessions) don't make it go backwards.
 * `only` (asked at each reading) restricts it to some pids, e.g. the backends of one database.
 */
export function commandCpuCounter(comm: string, only?: () => ReadonlySet<number>): () => number {
  const start = commandCpuByPid(comm);
  return () => {
    const wanted = only?.();
    let total = 0;
    for (const [pid, seconds] of commandCpuByPid(comm)) {
      if (!wanted || wanted.has(pid)) total += seconds - (start.get(pid) ?? 0);
    }
    return total;
  };
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number; irq: number } {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    // Interrupt and softirq time (loopback TCP is mostly softirq) is not charged to any process.
    const irq = (v[5] ?? 0) + (v[6] ?? 0);
    return {
      busy: (total - idle) / TICKS_PER_SECOND,
      total: total / TICKS_PER_SECOND,
      irq: irq / TICKS_PER_SECOND,
    };
  } catch {
    return { busy: 0, total: 0, irq: 0 };
  }
}

/** A CPU meter over a window: cores used by each tracked party (1.0 = one core fully busy). */
export class CpuMeter {
  private readonly start: Record<string, number> = {};
  private readonly startMachine = machineCpuSeconds();
  private readonly startedAt = Date.now();

  constructor(private readonly parties: Record<string, () => number>) {
    for (const [name, read] of Object.entries(parties)) this.start[name] = read();
  }

  /** Cores used per party since construction, plus `machine` (all processes) and `other`. */
  read(extra: Record<string, number> = {}): Record<string, number> {
    const seconds = (Date.now() - this.startedAt) / 1000;
    const out: Record<string, number> = {};
    let known = 0;
    for (const [name, read] of Object.entries(this.parties)) {
      out[name] = (read() - this.start[name]) / seconds;
      known += out[name];
    }
    for (const [name, cores] of Object.entries(extra)) {
      out[name] = cores;
      known += cores;
    }
    const machine = machineCpuSeconds();
    out.machine = (machine.busy - this.startMachine.busy) / seconds;
    out.irq = (machine.irq - this.startMachine.irq) / seconds;
    out.other = Math.max(0, out.machine - known - out.irq);
    return out;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** GETs `url` until it answers 200, for at most `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isAlive()) throw new Error(`the server exited before answering ${url}`);
    const status = await new Promise<number>((resolve) => {
      const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(0));
    });
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Collects the last lines a child wrote, to show them if it fails. */
export function tailOf(stream: NodeJS.ReadableStream | null, keep = 40): () => string {
  const lines: string[] = [];
  stream?.on('data', (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > keep) lines.splice(0, lines.length - keep);
  });
  return () => lines.join('\n');
}

/**
 * Waits (up to `maxWaitMs`) until the machine is nearly idle: busy below `thresholdCores` over one
 * second. Other work on a 2-core machine (a test suite, a build) would otherwise skew the figures.
 * Returns the last measured background load in cores.
 */
export async function waitForQuiet(maxWaitMs: number, thresholdCores = 0.25): Promise<number> {
  const until = Date.now() + maxWaitMs;
  for (;;) {
    const before = machineCpuSeconds();
    const startedAt = Date.now();
    await sleep(1000);
    const after = machineCpuSeconds();
    const busy = (after.busy - before.busy) / ((Date.now() - startedAt) / 1000);
    if (busy < thresholdCores || Date.now() >= until) return busy;
  }
}
