import type { Knex } from 'knex';
import PgBoss from 'pg-boss';
import type { Logger } from '../logging';
import { knexDb } from './db-adapter';

export interface QueueSettings {
  /** Attempts after the first (default 3). */
  retryLimit?: number;
  /** Seconds before the first retry (default 2); doubled for each further one with `retryBackoff`. */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** Time one run may take before it counts as failed and is retried (default 60 s). */
  expireInSeconds?: number;
}

export interface SendOptions {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  trx?: Knex.Transaction;
  /** At most one queued-or-active job with this key per queue (pg-boss singleton). */
  singletonKey?: string;
  startAfterSeconds?: number;
}

export interface JobQueueOptions {
  /** Run scheduled (cron) jobs and queue maintenance in this process (worker processes). */
  maintenance: boolean;
  /** Poll interval of workers (default 0.5 s, pg-boss's minimum). */
  pollingIntervalSeconds?: number;
}

export interface JobContext {
  id: string;
  /** 0 on the first attempt. */
  retryCount: number;
}

export type JobHandler<T> = (data: T, job: JobContext) => Promise<void>;

/**
 * Faultline's job queue: pg-boss on the same database (PGlite or Postgres), in its own `pgboss`
 * schema. Jobs survive restarts, are taken by one worker at a time across processes
 * (`SKIP LOCKED`), time out after `expireInSeconds`, and are retried with exponential backoff.
 * Cron schedules fire once per tick across all processes that run maintenance.
 */
export class JobQueue {
  private readonly workers: string[] = [];

  private constructor(
    private readonly boss: PgBoss,
    private readonly knex: Knex,
    private readonly options: JobQueueOptions,
  ) {}

  static async start(knex: Knex, log: Logger, options: JobQueueOptions): Promise<JobQueue> {
    const boss = new PgBoss({
      db: knexDb(knex),
      schema: 'pgboss',
      supervise: options.maintenance,
      schedule: options.maintenance,
      migrate: true,
    });
    boss.on('error', (err: unknown) => log.error({ err }, 'job queue error'));
    await boss.start();
    return new JobQueue(boss, knex, options);
  }

  /**
   * Creates the queue or updates its retry and timeout settings (idempotent). Processes starting at
   * the same time race here: pg-boss's DDL can then deadlock or hit the unique name, so a losing
   * attempt is retried after a short random wait.
   */
  async define(name: string, settings: QueueSettings = {}): Promise<void> {
    const queue = {
      name,
      retryLimit: settings.retryLimit ?? 3,
      retryDelay: settings.retryDelaySeconds ?? 2,
      retryBackoff: settings.retryBackoff ?? true,
      expireInSeconds: settings.expireInSeconds ?? 60,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, queue);
        else await this.boss.createQueue(name, queue);
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const raced = code === '40P01' || code === '23505' || code === '40001' || code === '42P07';
        if (!raced || attempt >= 8) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80 * attempt));
      }
    }
  }

  /** Enqueues a job; returns its id, or null when a singleton with the same key is already queued. */
  async send(name: string, data: object, options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(name, data, {
      db: options.trx ? knexDb(options.trx) : undefined,
      singletonKey: options.singletonKey,
      startAfter: options.startAfterSeconds,
    });
  }

  /** Takes jobs of `name`, one at a time per slot; `concurrency` slots in this process. */
  async work<T extends object>(name: string, handler: JobHandler<T>, concurrency = 1): Promise<void> {
    for (let i = 0; i < concurrency; i++) {
      const id = await this.boss.work<T>(
        name,
        {
          batchSize: 1,
          includeMetadata: true,
          pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 0.5,
        },
        async ([job]) => handler(job.data, { id: job.id, retryCount: job.retryCount }),
      );
      this.workers.push(id);
    }
  }

  /** Sends a job of `name` on a cron schedule (UTC, minute resolution), once per tick cluster-wide. */
  async schedule(name: string, cron: string, data: object = {}): Promise<void> {
    await this.boss.schedule(name, cron, data, { tz: 'UTC' });
  }

  async unschedule(name: string): Promise<void> {
    await this.boss.unschedule(name);
  }

  /** Names of the cron schedules starting with `prefix`, sorted. */
  async scheduleNames(prefix: string): Promise<string[]> {
    const schedules = await this.boss.getSchedules();
    return schedules
      .map((s) => s.name)
      .filter((name) => name.startsWith(prefix))
      .sort();
  }

  /** Job state counts per queue (for health output and tests). */
  async counts(name: string): Promise<Record<string, number>> {
    const rows = await this.knex.raw<{ rows: { state: string; n: string }[] }>(
      'SELECT state, count(*) AS n FROM pgboss.job WHERE name = ? GROUP BY state',
      [name],
    );
    return Object.fromEntries(rows.rows.map((r) => [r.state, Number(r.n)]));
  }

  /** Stops taking jobs and waits for running ones (each bounded by its queue's expiry). */
  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: 10_000 });
  }
}
