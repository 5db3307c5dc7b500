/**
 * How far the server under test has got: events stored into issues and events still queued, sampled
 * during and after a load. On Postgres the benchmark reads the database with SQL; embedded (PGlite)
 * belongs to the server process alone, so there it asks the server's REST API and counts what the
 * load generator saw acknowledged.
 */
import { createFaultlineClient, paginate, type FaultlineClient } from '@faultline/api-client';
import type { Client } from 'pg';
import { sleep } from './proc';
import { every } from './every';
import { round } from './stats';

export interface DbSample {
  at: number;
  /** Events stored into issues so far (the sum of the issues' counts). */
  processed: number;
  /** Events acknowledged but not stored yet. */
  queued: number;
  /** Transactions committed in this database so far (pg_stat_database, updated with a small delay); NaN embedded. */
  commits: number;
}

export type DatabaseKind = 'postgres' | 'embedded';

export interface Progress {
  readonly database: DatabaseKind;
  sample(): Promise<DbSample>;
  /**
   * What the server's Postgres sessions were doing, in percent of samples, from now until `stop()`;
   * empty where there are no sessions to look at (embedded).
   */
  sampleWaits(everyMs: number): { stop: () => Promise<Record<string, number>> };
  /** Postgres processes working for this database, to meter their CPU; none when it runs inside the server. */
  ourPids(): Promise<Set<number>>;
  /** The load generator of phase `label` has had `acceptedSoFar` events acknowledged (200). */
  noteAccepted(label: string, acceptedSoFar: number): void;
  /** After `first`, samples every `everyMs` until stopped: the time series of a window. */
  record(everyMs: number, first: DbSample): { samples: DbSample[]; stop: () => Promise<void> };
  /** Polls until the queue is empty or `timeoutMs` passes; returns the sample that saw it empty (or the last). */
  waitDrained(timeoutMs: number): Promise<{ sample: DbSample; drained: boolean }>;
}

/** What both kinds share: a time series and the drain wait, built on `sample()`. */
abstract class SampledProgress implements Progress {
  abstract readonly database: DatabaseKind;
  /** Pause between samples while waiting for the queue to drain. */
  protected abstract readonly drainPollMs: number;
  abstract sample(): Promise<DbSample>;
  abstract sampleWaits(everyMs: number): { stop: () => Promise<Record<string, number>> };
  abstract ourPids(): Promise<Set<number>>;
  abstract noteAccepted(label: string, acceptedSoFar: number): void;

  record(everyMs: number, first: DbSample): { samples: DbSample[]; stop: () => Promise<void> } {
    const samples: DbSample[] = [first];
    const ticker = every(everyMs, false, async () => {
      samples.push(await this.sample());
    });
    return { samples, stop: () => ticker.stop() };
  }

  async waitDrained(timeoutMs: number): Promise<{ sample: DbSample; drained: boolean }> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const sample = await this.sample();
      if (sample.queued === 0) return { sample, drained: true };
      if (Date.now() >= until) return { sample, drained: false };
      await sleep(this.drainPollMs);
    }
  }
}

/** Reads progress from the Postgres database the server writes to: `issues` and the `raw_events` queue. */
export class PostgresProgress extends SampledProgress {
  readonly database = 'postgres';
  protected readonly drainPollMs = 100;

  constructor(private readonly client: Client) {
    super();
  }

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

  /** The queue is counted in the database itself. */
  noteAccepted(): void {}
}

/** Where the API of the server under test is, and who may read the project's issues. */
export interface ApiTarget {
  /** e.g. http://127.0.0.1:8123 */
  baseUrl: string;
  token: string;
  organization: string;
  project: string;
}

/**
 * Reads progress through the REST API, for the embedded database that only the server process may
 * open: processed is the sum of the project's issue counts (`count` is the issue's times_seen, the
 * figure the Postgres variant sums); queued is what the generators saw acknowledged minus that. An
 * acknowledgement reaches this process a moment after the server committed it, so during a load the
 * queue is slightly under-counted; once a load has finished, the acknowledged total is exact.
 * The API requests run on the server's main thread like everything else embedded: one reading cost
 * it 25–35 ms of CPU on this (busy) machine, most of it the fixed cost of an authenticated API call on
 * PGlite (limit=1 costs nearly as much), so the drain is polled less often than on Postgres.
 */
export class ApiProgress extends SampledProgress {
  readonly database = 'embedded';
  protected readonly drainPollMs = 500;
  private readonly acceptedByPhase = new Map<string, number>();
  private last = { issues: NaN, count: NaN };
  private client: FaultlineClient | undefined;
  /** When each reading arrived and how long it took: a late reading stretches the window it closes. */
  readonly readings: { at: number; ms: number }[] = [];

  constructor(private readonly target: ApiTarget) {
    super();
  }

  noteAccepted(label: string, acceptedSoFar: number): void {
    // Answers arrive in order, but keep the highest figure anyway: the total never goes back.
    this.acceptedByPhase.set(label, Math.max(acceptedSoFar, this.acceptedByPhase.get(label) ?? 0));
  }

  get accepted(): number {
    let total = 0;
    for (const n of this.acceptedByPhase.values()) total += n;
    return total;
  }

  async sample(): Promise<DbSample> {
    const accepted = this.accepted;
    const sentAt = Date.now();
    const processed = await this.processed();
    // Stamped on arrival: the server counts just before it answers, after waiting its turn.
    const at = Date.now();
    this.readings.push({ at, ms: at - sentAt });
    return { at, processed, queued: Math.max(0, accepted - processed), commits: NaN };
  }

  /**
   * Sum of `count` over every issue of the project: `query=` (empty) lists resolved and ignored
   * issues too (no query at all means is:unresolved), `statsPeriod=` (empty) skips the per-issue
   * time series, and the Link header's next cursor is followed (50 issues fit in one page of 100).
   */
  async issueCountSum(): Promise<{ issues: number; count: number }> {
    const { baseUrl, token, organization, project } = this.target;
    const client = (this.client ??= createFaultlineClient({ baseUrl, token }));
    let issues = 0;
    let count = 0;
    for await (const issue of paginate((cursor) =>
      client.GET('/api/0/projects/{organization}/{project}/issues/', {
        params: {
          path: { organization, project },
          query: { query: '', statsPeriod: '', limit: 100, cursor },
        },
      }),
    )) {
      issues += 1;
      count += Number(issue.count);
    }
    this.last = { issues, count };
    return this.last;
  }

  /** The last figures read, for when the server is gone. */
  get lastIssueCounts(): { issues: number; count: number } {
    return this.last;
  }

  private async processed(): Promise<number> {
    return (await this.issueCountSum()).count;
  }

  /** PGlite has no sessions to sample. */
  sampleWaits(): { stop: () => Promise<Record<string, number>> } {
    return { stop: async () => ({}) };
  }

  /** No Postgres processes: PGlite is CPU of the server process (its main thread). */
  async ourPids(): Promise<Set<number>> {
    return new Set();
  }
}
