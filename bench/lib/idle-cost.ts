/**
 * Idle cost: what a started Faultline spends with no traffic at all. Its background work (outbox
 * consumers, job workers, the pipeline's safety poll) should wake on new work, not poll for it.
 */
import type { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { CpuMeter, commandCpuCounter, processCpuSeconds, sleep } from './proc';
import { round } from './stats';

/** The bar for an idle server (issue 9). */
export const IDLE_TARGET = { cores: 0.02, commitsPerSecond: 1 } as const;

export interface IdleCost {
  seconds: number;
  /** Cores per Faultline process (all its threads), and `postgres`: the backends of this database. */
  cores: Record<string, number>;
  /** Faultline processes plus their Postgres backends. */
  totalCores: number;
  /** Transactions committed in this database per second (pg_stat_database.xact_commit). */
  commitsPerSecond: number;
  targetMet: boolean;
}

async function commits(client: Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    'SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0].n);
}

/** This database's backends other than `client`'s own (the measuring session). */
async function backendPids(client: Client): Promise<Set<number>> {
  const { rows } = await client.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return new Set(rows.map((r) => r.pid));
}

/**
 * Measures `seconds` of no traffic: CPU of each process in `processes` and of the Postgres backends
 * of the database at `url`, and commits per second there. It measures from a session of its own,
 * opened for the window: Postgres reports a session's statistics up to seconds late, so a busy
 * session's earlier work would land in the window. Its one transaction inside the window (the first
 * reading) is subtracted. The window should be long (60 s), as other sessions' statistics are late
 * by up to a second or so at both ends.
 */
export async function measureIdleCost(
  url: string,
  processes: Record<string, ChildProcess>,
  seconds: number,
): Promise<IdleCost> {
  const client = new Client({ connectionString: url, application_name: 'faultline-bench-idle' });
  await client.connect();
  try {
    const pids = await backendPids(client);
    const meter = new CpuMeter({
      ...Object.fromEntries(
        Object.entries(processes).map(([name, child]) => [name, () => processCpuSeconds(child.pid ?? 0)]),
      ),
      postgres: commandCpuCounter('postgres', () => pids),
    });
    const before = await commits(client);
    const startedAt = Date.now();
    await sleep(seconds * 1000);
    const after = await commits(client);
    const elapsed = (Date.now() - startedAt) / 1000;
    // Sessions opened meanwhile (a pool growing) count too; their CPU before they were seen is lost.
    for (const pid of await backendPids(client)) pids.add(pid);
    const cpu = meter.read();
    const cores: Record<string, number> = {};
    for (const name of [...Object.keys(processes), 'postgres']) cores[name] = round(cpu[name], 4);
    const totalCores = round(
      Object.values(cores).reduce((a, b) => a + b, 0),
      4,
    );
    const commitsPerSecond = round(Math.max(0, after - before - 1) / elapsed, 2);
    return {
      seconds: round(elapsed, 1),
      cores,
      totalCores,
      commitsPerSecond,
      targetMet: totalCores <= IDLE_TARGET.cores && commitsPerSecond <= IDLE_TARGET.commitsPerSecond,
    };
  } finally {
    await client.end();
  }
}

/** One line for the report. */
export function idleCostText(idle: IdleCost): string {
  const parts = Object.entries(idle.cores).map(([name, cores]) => `${name} ${cores.toFixed(4)}`);
  return (
    `idle cost over ${idle.seconds} s: ${idle.totalCores.toFixed(4)} cores (${parts.join(', ')}), ` +
    `${idle.commitsPerSecond.toFixed(2)} commits/s; target ≤ ${IDLE_TARGET.cores} cores and ≤ ` +
    `${IDLE_TARGET.commitsPerSecond} commit/s: ${idle.targetMet ? 'met' : 'MISSED'}`
  );
}
