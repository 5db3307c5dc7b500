/**
 * The database the benchmarked server runs on, and everything about it that differs between the two
 * kinds: how it is made and removed, the environment the faultline commands get, how progress is
 * read, what is counted at the end, and where the CPU an event costs is spent.
 *
 * - postgres: a fresh database on the server at TEST_DATABASE_URL, read with SQL; Postgres is its own
 *   processes, metered apart from the server.
 * - embedded: PGlite in a fresh temporary DATA_DIR. Only the server process may open it (the data
 *   directory is locked), so progress is read through the REST API while it runs, and the final
 *   counts with SQL once it has stopped. PGlite, the pipeline and HTTP all run on the server's main
 *   thread, so the CPU per event can only be split into that thread and the rest.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { Client } from 'pg';
import { connectDatabase } from '../../core/src/db';
import { createPostgresDatabase } from '../../core/src/testing/databases';
import { cleanups, cpuMicrosPerEvent, log, type ServerPhase } from './harness';
import { ApiProgress, PostgresProgress, type ApiTarget, type DatabaseKind, type Progress } from './progress';
import { fmtInt } from './stats';

export const DATABASE_KINDS: readonly DatabaseKind[] = ['postgres', 'embedded'];

/** What the database holds once the load has drained; NaN for what could not be counted. */
export interface DatabaseTotals {
  events: number;
  issues: number;
  timesSeen: number;
  unprocessable: number;
  /** e.g. "Postgres 16.4" or "embedded PGlite (Postgres 17.4)". */
  description: string;
  /** Postgres's server_version (PGlite's, embedded). */
  version: string;
}

interface DatabaseUnderTestBase {
  readonly kind: DatabaseKind;
  /** Set for every faultline command of the run (bootstrap, start, worker); undefined unsets. */
  readonly env: { DATABASE_URL: string | undefined; DATA_DIR?: string };
  /** Reads progress while the server at `api` runs; `api` carries the bootstrap token. */
  progress(api: ApiTarget): Promise<Progress>;
  /** Counts what was stored, after every faultline process has stopped. */
  totals(): Promise<DatabaseTotals>;
  /** CPU µs per event in each place that works on it, named for the JSON. */
  cpuMicrosPerEvent(phase: ServerPhase): Record<string, number>;
  /** The same, as the printed line says it. */
  cpuMicrosPerEventText(phase: ServerPhase): string;
  /** What the database's sessions did during the phase, and its commits/s. */
  sessionsText(phase: ServerPhase): string;
}

/** Counted the same way on both kinds, so the figures compare. */
const TOTALS_SQL = `SELECT (SELECT count(*) FROM events)::bigint AS events, (SELECT count(*) FROM issues)::bigint AS issues,
  (SELECT coalesce(sum(times_seen), 0) FROM issues)::bigint AS times_seen,
  (SELECT count(*) FROM stored_items WHERE item_type = 'event.unprocessable')::bigint AS unprocessable,
  current_setting('server_version') AS version`;

interface TotalsRow {
  events: string;
  issues: string;
  times_seen: string;
  unprocessable: string;
  version: string;
}

function totalsOf(row: TotalsRow) {
  return {
    events: Number(row.events),
    issues: Number(row.issues),
    timesSeen: Number(row.times_seen),
    unprocessable: Number(row.unprocessable),
    version: row.version,
  };
}

const perEvent = (cores: number, rate: number) => (rate > 0 ? (cores * 1e6) / rate : NaN);

export class PostgresUnderTest implements DatabaseUnderTestBase {
  readonly kind = 'postgres';
  private client?: Client;

  private constructor(readonly url: string) {}

  /** A fresh database, dropped at the end unless `keep`. */
  static async create(keep: boolean): Promise<PostgresUnderTest> {
    const database = await createPostgresDatabase();
    if (!keep) cleanups.push(() => database.drop());
    else log(`keeping database ${database.url}`);
    return new PostgresUnderTest(database.url);
  }

  get env() {
    return { DATABASE_URL: this.url };
  }

  async progress(): Promise<Progress> {
    return new PostgresProgress(await this.connect());
  }

  async totals(): Promise<DatabaseTotals> {
    const { rows } = await (await this.connect()).query<TotalsRow>(TOTALS_SQL);
    const totals = totalsOf(rows[0]);
    return { ...totals, description: `Postgres ${totals.version}` };
  }

  cpuMicrosPerEvent(phase: ServerPhase): Record<string, number> {
    return cpuMicrosPerEvent(phase);
  }

  cpuMicrosPerEventText(phase: ServerPhase): string {
    const us = cpuMicrosPerEvent(phase);
    return (
      `HTTP ${fmtInt(us.http)} µs, pipeline ${fmtInt(us.pipeline)} µs, Postgres ${fmtInt(us.postgres)} µs ` +
      `(total ${fmtInt(us.http + us.pipeline + us.postgres)} µs)`
    );
  }

  sessionsText(phase: ServerPhase): string {
    return `${JSON.stringify(phase.waits)}; ${fmtInt(phase.commitsPerSecond)} commits/s`;
  }

  /** The benchmark's own session, opened once. */
  private async connect(): Promise<Client> {
    if (!this.client) {
      const client = new Client({ connectionString: this.url, application_name: 'faultline-bench' });
      await client.connect();
      cleanups.push(() => client.end());
      this.client = client;
    }
    return this.client;
  }
}

export class EmbeddedUnderTest implements DatabaseUnderTestBase {
  readonly kind = 'embedded';
  private api?: ApiProgress;

  private constructor(readonly dataDir: string) {}

  /** A fresh temporary DATA_DIR, removed at the end unless `keep`. */
  static create(keep: boolean): EmbeddedUnderTest {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-'));
    if (!keep) cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    else log(`keeping DATA_DIR ${dataDir}`);
    return new EmbeddedUnderTest(dataDir);
  }

  get env() {
    // No DATABASE_URL, whatever this shell has: child_process leaves undefined variables out.
    return { DATABASE_URL: undefined, DATA_DIR: this.dataDir };
  }

  async progress(api: ApiTarget): Promise<Progress> {
    this.api = new ApiProgress(api);
    return this.api;
  }

  /**
   * Opens the data directory the server left (its `pgdata`, as core/src/config lays it out) with this
   * checkout's PGlite. A build under BENCH_CLI whose PGlite can't be opened by this one still gets its
   * issue figures from the last API reading; the event count is then unknown.
   */
  async totals(): Promise<DatabaseTotals> {
    let knex: Knex | undefined;
    try {
      const db = connectDatabase({ kind: 'embedded', dataDir: path.join(this.dataDir, 'pgdata') });
      knex = db.knex;
      const { rows } = await knex.raw<{ rows: TotalsRow[] }>(TOTALS_SQL);
      const totals = totalsOf(rows[0]);
      return {
        ...totals,
        description: `embedded PGlite (Postgres ${totals.version}), DATA_DIR ${this.dataDir}`,
      };
    } catch (error) {
      log(`could not open ${this.dataDir} to count events: ${String(error)}`);
      const fromApi = this.api?.lastIssueCounts ?? { issues: NaN, count: NaN };
      return {
        events: NaN,
        issues: fromApi.issues,
        timesSeen: fromApi.count,
        unprocessable: NaN,
        version: 'unknown',
        description: `embedded PGlite, DATA_DIR ${this.dataDir}`,
      };
    } finally {
      await knex?.destroy();
    }
  }

  /**
   * Embedded, the server's main thread does HTTP, the pipeline and PGlite's queries, so its time is
   * divided by the events it acknowledged (the rate a client sees); the other threads (GC, libuv's
   * file system pool) likewise. When processing lags, the printed processed/accepted ratio says so.
   */
  cpuMicrosPerEvent(phase: ServerPhase): Record<string, number> {
    const main = phase.cpu.serverMainThread;
    return {
      mainThread: perEvent(main, phase.acceptedPerSecond),
      otherThreads: perEvent((phase.cpu.server ?? NaN) - main, phase.acceptedPerSecond),
    };
  }

  cpuMicrosPerEventText(phase: ServerPhase): string {
    const us = this.cpuMicrosPerEvent(phase);
    const processedShare = phase.processedPerSecondDuringLoad / phase.acceptedPerSecond;
    return (
      `HTTP+pipeline+database (main thread) ${fmtInt(us.mainThread)} µs, other threads ${fmtInt(us.otherThreads)} µs ` +
      `per accepted event (total ${fmtInt(us.mainThread + us.otherThreads)} µs; ` +
      `${Number.isFinite(processedShare) ? processedShare.toFixed(2) : '–'} processed per accepted)`
    );
  }

  /**
   * No sessions to sample; instead, how long the API readings of the window took, since the one that
   * closes the window arrives that much after the load stopped and the rates over the window are
   * measured up to its arrival.
   */
  sessionsText(phase: ServerPhase): string {
    const times = (this.api?.readings ?? [])
      .filter((r) => r.at > phase.start.at && r.at <= phase.atDeadline.at)
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    const readings =
      times.length === 0
        ? ''
        : `; the API readings of the window took ${fmtInt(times[Math.floor(times.length / 2)])} ms median, ` +
          `${fmtInt(times[times.length - 1])} ms max (the last one closes the window)`;
    return `n/a (embedded: PGlite runs on the server main thread), commits/s n/a${readings}`;
  }
}

export type DatabaseUnderTest = PostgresUnderTest | EmbeddedUnderTest;

export async function createDatabaseUnderTest(kind: DatabaseKind, keep: boolean): Promise<DatabaseUnderTest> {
  return kind === 'embedded' ? EmbeddedUnderTest.create(keep) : PostgresUnderTest.create(keep);
}

/** `--database` / BENCH_DATABASE: postgres (the default) or embedded. */
export function readDatabaseKind(raw: string | undefined): DatabaseKind {
  if (raw === undefined || raw === '') return 'postgres';
  const kind = DATABASE_KINDS.find((k) => k === raw);
  if (!kind) throw new Error(`--database / BENCH_DATABASE must be postgres or embedded (got ${raw})`);
  return kind;
}
