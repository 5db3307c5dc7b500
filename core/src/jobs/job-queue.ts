import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import PgBoss from 'pg-boss';
import { DatabaseSignals, signalsOf } from '../db';
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
  /**
   * How often this process looks, in one query over every queue it works, for jobs that became due
   * unannounced: delayed jobs and retries sent elsewhere, jobs of a process that died, a lost
   * announcement (default 15 s). Jobs sent from any process are announced and taken at once.
   */
  dueCheckSeconds?: number;
}

/**
 * pg-boss's own poll of each worker (it has no "wait for a signal"): a last resort only, since this
 * queue wakes its workers itself (`notifyWorker`) when a job is sent or falls due.
 */
const WORKER_POLL_SECONDS = 300;

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
 *
 * Workers don't poll: a job sent from any process is announced (the `jobs` signal, after its
 * transaction commits) and wakes the workers of its queue; a delayed job or a retry wakes them in
 * the sending or failing process when it falls due; one query every `dueCheckSeconds` catches the
 * rest. An idle queue costs next to nothing, however many queues there are.
 */
export class JobQueue {
  /** Worker ids by queue name (this process's). */
  private readonly workers = new Map<string, string[]>();
  private readonly settings = new Map<string, QueueSettings>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;
  private dueCheck: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly knex: Knex,
    private readonly log: Logger,
    private readonly options: JobQueueOptions,
  ) {
    const signals = signalsOf(knex);
    this.unsubscribe = signals
      ? signals.on('jobs', (name) => (name === undefined ? this.wakeAll() : this.wake(name)))
      : () => undefined;
  }

  static async start(knex: Knex, log: Logger, options: JobQueueOptions): Promise<JobQueue> {
    const boss = new PgBoss({
      db: knexDb(knex),
      schema: 'pgboss',
      supervise: options.maintenance,
      schedule: options.maintenance,
      migrate: true,
      // Idle cost: pg-boss's own timers are the only polling left. Expired jobs (a worker died) are
      // found every 5 minutes instead of 2; the internal queue that turns cron ticks into jobs is
      // polled every 10 s instead of 5 (cron ticks are already up to 30 s late, the cron monitor's
      // interval).
      maintenanceIntervalSeconds: 300,
      cronWorkerIntervalSeconds: 10,
    });
    boss.on('error', (err: unknown) => log.error({ err }, 'job queue error'));
    await boss.start();
    return new JobQueue(boss, knex, log, options);
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
    this.settings.set(name, settings);
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
    const id = await this.boss.send(name, data, {
      db: options.trx ? knexDb(options.trx) : undefined,
      singletonKey: options.singletonKey,
      startAfter: options.startAfterSeconds,
    });
    if (id !== null) {
      const announce = (): void => {
        if (options.startAfterSeconds) this.wakeAfter(name, options.startAfterSeconds * 1000);
        else signalsOf(this.knex)?.announce('jobs', name);
      };
      if (options.trx) DatabaseSignals.afterCommit(options.trx, announce);
      else announce();
    }
    return id;
  }

  /**
   * Enqueues jobs to be taken in the order given (one query). pg-boss takes the due jobs of a queue
   * by `created_on, id`, and `created_on` is the transaction's start, the same for every job sent in
   * one transaction: with its random ids they would be taken in any order. So the ids are made to
   * sort in the order given (Postgres compares uuids bytewise; the first four bytes count up, the
   * rest stay random).
   */
  async sendInOrder(name: string, jobs: readonly object[], options: { trx?: Knex.Transaction } = {}) {
    if (jobs.length === 0) return;
    await this.boss.insert(
      jobs.map((data, i) => ({ id: i.toString(16).padStart(8, '0') + randomUUID().slice(8), name, data })),
      { db: options.trx ? knexDb(options.trx) : undefined },
    );
    const announce = (): void => signalsOf(this.knex)?.announce('jobs', name);
    if (options.trx) DatabaseSignals.afterCommit(options.trx, announce);
    else announce();
  }

  /** Takes jobs of `name`, one at a time per slot; `concurrency` slots in this process. */
  async work<T extends object>(name: string, handler: JobHandler<T>, concurrency = 1): Promise<void> {
    const ids = this.workers.get(name) ?? [];
    this.workers.set(name, ids);
    for (let i = 0; i < concurrency; i++) {
      let id = '';
      id = await this.boss.work<T>(
        name,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: WORKER_POLL_SECONDS },
        async ([job]) => {
          try {
            await handler(job.data, { id: job.id, retryCount: job.retryCount });
          } catch (error) {
            this.wakeForRetry(name, job.retryCount);
            throw error;
          } finally {
            // After a job, look for the next one at once: the queue is drained, not polled.
            this.boss.notifyWorker(id);
          }
        },
      );
      ids.push(id);
    }
    this.dueCheck ??= setTimeout(() => void this.checkDue(), this.dueCheckMs());
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

  /** Lets the workers of `name` in this process look for a job now. */
  private wake(name: string): void {
    for (const id of this.workers.get(name) ?? []) this.boss.notifyWorker(id);
  }

  private wakeAll(): void {
    for (const name of this.workers.keys()) this.wake(name);
  }

  private wakeAfter(name: string, ms: number): void {
    if (this.stopped || !this.workers.has(name)) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.wake(name);
    }, ms + 50);
    timer.unref();
    this.timers.add(timer);
  }

  /**
   * A failed job is retried after the queue's delay (pg-boss: with backoff, a random time between
   * `delay × 2^retryCount` and twice that): this process looks at both ends of that span.
   */
  private wakeForRetry(name: string, retryCount: number): void {
    const settings = this.settings.get(name) ?? {};
    const limit = settings.retryLimit ?? 3;
    if (retryCount >= limit) return;
    const delayMs = (settings.retryDelaySeconds ?? 2) * 1000;
    if (settings.retryBackoff ?? true) {
      const first = delayMs * 2 ** Math.min(16, retryCount);
      this.wakeAfter(name, first);
      this.wakeAfter(name, 2 * first);
    } else this.wakeAfter(name, delayMs);
  }

  private dueCheckMs(): number {
    return (this.options.dueCheckSeconds ?? 15) * 1000;
  }

  /** One read-only query: which of this process's queues have a job waiting that is due. */
  private async checkDue(): Promise<void> {
    if (this.stopped) return;
    try {
      const { rows } = await this.knex.raw<{ rows: { name: string }[] }>(
        `SELECT DISTINCT name FROM pgboss.job
          WHERE name = ANY(?::text[]) AND state < 'active' AND start_after <= now()`,
        [[...this.workers.keys()]],
      );
      for (const row of rows) this.wake(row.name);
    } catch (err) {
      this.log.warn({ err }, 'could not look for due jobs; trying again');
    }
    if (!this.stopped) this.dueCheck = setTimeout(() => void this.checkDue(), this.dueCheckMs());
  }

  /** Stops taking jobs and waits for running ones (each bounded by its queue's expiry). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    clearTimeout(this.dueCheck);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: 10_000 });
  }
}
