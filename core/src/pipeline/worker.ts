import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { EventPartitions } from '../db';
import { storeEventBatch, type PreparedEvent, type StoreSummary } from '../issues';
import { recordReleaseSightings, type ReleaseSighting } from '../releases';
import type { NormalizedEvent } from '../events';
import { normalizeRow, prepareNormalized, type RawEventRow } from './prepare';
import { UNPROCESSABLE_ITEM_TYPE } from './unprocessable';

/**
 * Runs between normalizing and grouping (the plugin host's processEvent): returns the event, changed
 * or not, or null to drop it. Must not throw; must bound its own time.
 */
export type EventProcessor = (
  event: NormalizedEvent,
  trx: Knex.Transaction,
  /** The event's project (plugins may be turned off per project). */
  projectId: number,
) => Promise<NormalizedEvent | null>;

export interface WorkerOptions {
  batchSize: number;
  /** Loops claiming batches concurrently in this process. */
  concurrency: number;
  /** How long an idle loop sleeps before looking at the queue again (other processes may fill it). */
  idlePollMs?: number;
  /** Plugins' processEvent; events of a batch go through it concurrently, inside the batch's transaction. */
  processEvent?: EventProcessor;
  /** How a loop that emptied the queue waits for the next batch to fill (see `waitForWork`). */
  gather?: { rows: number; maxWaitMs: number };
}

/**
 * A batch's fixed cost (about a dozen statements and a commit) is paid whatever its size: measured
 * per event in Postgres CPU, a batch of 20 costs three times what a batch of 500 does. So when rows
 * trickle in, a loop waits until this many are announced or this long has passed since the first.
 */
const DEFAULT_GATHER = { rows: 200, maxWaitMs: 100 };

/** Postgres error codes worth retrying the whole batch for. */
const TRANSIENT = new Set(['40P01', '40001', '23505']);

/**
 * How often one event may fail alone, for a reason that doesn't plainly blame its data, before it
 * is set aside: enough to ride out a passing fault, few enough that the queue moves on.
 */
const MAX_SOLO_FAILURES = 3;

/**
 * Drains the `raw_events` queue: each loop claims a batch with FOR UPDATE SKIP LOCKED, prepares the
 * events (pure), stores them and deletes the claimed rows in one transaction. A crash at any point
 * leaves the rows in the queue for the next claim; nothing acknowledged is lost.
 */
export class PipelineWorker {
  private stopped = true;
  private loops: Promise<void>[] = [];
  private wakeUps: (() => void)[] = [];
  private processedTotal = 0;
  /** Rows committed to the queue (as told by `wake`) since the last claim. */
  private announced = 0;
  private readonly idlePollMs: number;
  private readonly gather: { rows: number; maxWaitMs: number };
  /** Queue row id → how often that event failed alone (see MAX_SOLO_FAILURES). */
  private readonly soloFailures = new Map<string, number>();

  constructor(
    private readonly knex: Knex,
    private readonly partitions: EventPartitions,
    private readonly log: Logger,
    private readonly options: WorkerOptions,
  ) {
    this.idlePollMs = options.idlePollMs ?? 250;
    this.gather = options.gather ?? DEFAULT_GATHER;
  }

  get processed(): number {
    return this.processedTotal;
  }

  /** True while every loop sleeps waiting for work (started, and its last claim has ended). */
  get idle(): boolean {
    return !this.stopped && this.wakeUps.length === this.loops.length;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  /**
   * Lets idle loops look at the queue now (called after ingestion commits `rows` rows; 0 when the
   * count is unknown, e.g. a signal from another process: the loop then claims at once).
   */
  wake(rows = 0): void {
    this.announced += rows;
    this.wakeUps.splice(0).forEach((resolve) => resolve());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await Promise.all(this.loops);
  }

  /** Processes batches until the queue is empty; returns how many events were processed. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.processBatch();
      if (n === 0) return total;
      total += n;
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let claimed = 0;
      try {
        claimed = await this.processBatch();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.partitions.forget();
        this.log.error(
          { err: error, failures },
          'pipeline batch failed; it stays queued and will be retried',
        );
        await this.sleep(Math.min(5000, 100 * 2 ** failures));
        continue;
      }
      if (claimed < this.options.batchSize) await this.waitForWork();
    }
  }

  /**
   * After a batch that emptied the queue: sleep until rows are announced (or the idle poll comes
   * round, for rows other processes queued), then let a trickle grow into a batch for up to
   * `gather.maxWaitMs`, unless `gather.rows` are announced sooner. Under load batches fill at once.
   */
  private async waitForWork(): Promise<void> {
    if (this.announced === 0) await this.sleep(this.idlePollMs);
    const deadline = Date.now() + this.gather.maxWaitMs;
    while (!this.stopped && this.announced > 0 && this.announced < this.gather.rows) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await this.sleep(left);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUps.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * One transaction: claim, process, store, delete. Returns the number of queue rows consumed. When
   * the batch fails for any reason but an outage (the database refused its data, our code threw on
   * it…), it is redone one event at a time so the offending event is set aside instead of failing
   * every batch it is claimed in, forever, and holding up every event queued behind it.
   */
  async processBatch(): Promise<number> {
    try {
      return await this.withRetries(() =>
        this.knex.transaction((trx) => this.processClaimed(trx, this.options.batchSize)),
      );
    } catch (error) {
      if (isOutage(error)) throw error;
      this.log.warn({ err: error }, 'a pipeline batch failed; processing it one event at a time');
      return this.processOneByOne();
    }
  }

  private async withRetries<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const code = (error as { code?: string }).code;
        this.partitions.forget();
        if (attempt >= 5 || !code || !TRANSIENT.has(code)) throw error;
      }
    }
  }

  /**
   * Up to a batch of events, each in its own transaction. An event that fails alone is set aside
   * when the failure blames its data, or when it failed alone MAX_SOLO_FAILURES times; an outage
   * is thrown, leaving everything queued for the next round.
   */
  private async processOneByOne(): Promise<number> {
    let consumed = 0;
    while (consumed < this.options.batchSize) {
      let claimedId: string | undefined;
      try {
        const n = await this.withRetries(() =>
          this.knex.transaction((trx) => this.processClaimed(trx, 1, (id) => (claimedId = id))),
        );
        if (n === 0) break;
        if (claimedId !== undefined) this.soloFailures.delete(claimedId);
        consumed += n;
      } catch (error) {
        if (claimedId === undefined || isOutage(error)) throw error;
        const failures = (this.soloFailures.get(claimedId) ?? 0) + 1;
        if (!blamesData(error) && failures < MAX_SOLO_FAILURES) {
          this.soloFailures.set(claimedId, failures);
          throw error;
        }
        this.soloFailures.delete(claimedId);
        consumed += await this.setAside(claimedId, error);
      }
    }
    return consumed;
  }

  /** Moves one queued event to `stored_items` as unprocessable, with the database's reason. */
  private async setAside(id: string, error: unknown): Promise<number> {
    return this.knex.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: RawEventRow[] }>(
        `SELECT id::text AS id, project_id, received_at, event_id, sent_at, client_ip, payload
           FROM raw_events WHERE id = ? FOR UPDATE SKIP LOCKED`,
        [id],
      );
      if (rows.length === 0) return 0;
      await this.keepFailed(trx, [{ row: rows[0], error }]);
      await trx.raw('DELETE FROM raw_events WHERE id = ?', [id]);
      this.processedTotal += 1;
      return 1;
    });
  }

  private async processClaimed(
    trx: Knex.Transaction,
    limit: number,
    onClaim?: (id: string) => void,
  ): Promise<number> {
    const announcedBefore = this.announced;
    // `raw_events.id`, not `id`: a bare name in ORDER BY means the output column, here `id::text`,
    // which no index serves. Postgres then sorted the whole queue, payloads and all (spilling to
    // disk past work_mem), on every claim, and claimed in text order ("10" before "9"), not FIFO.
    const { rows } = await trx.raw<{ rows: RawEventRow[] }>(
      `SELECT id::text AS id, project_id, received_at, event_id, sent_at, client_ip, payload
         FROM raw_events ORDER BY raw_events.id LIMIT ? FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    // A claim that got fewer rows than it asked for emptied the queue as it stood when the claim
    // began, so every row announced by then is taken, here or by another loop or process. Counting
    // only the rows claimed here would leave stale announcements that keep a loop claiming an
    // empty queue; rows announced since stay counted.
    const taken = rows.length < limit ? Math.max(announcedBefore, rows.length) : rows.length;
    this.announced = Math.max(0, this.announced - taken);
    if (rows.length === 0) return 0;
    if (onClaim) onClaim(rows[0].id);
    const prepared: PreparedEvent[] = [];
    const failed: { row: RawEventRow; error: unknown }[] = [];
    let dropped = 0;
    const outcomes = await Promise.all(rows.map((row) => this.prepareRow(row, trx)));
    outcomes.forEach((outcome, i) => {
      if (outcome === null) dropped += 1;
      else if ('error' in outcome) failed.push({ row: rows[i], error: outcome.error });
      else prepared.push(outcome.prepared);
    });
    await this.partitions.ensureFor(uniqueDays(prepared.map((p) => p.receivedAt)), trx);
    const summary: StoreSummary = await storeEventBatch(trx, prepared);
    await recordReleaseSightings(trx, releaseSightings(prepared));
    if (failed.length > 0) await this.keepFailed(trx, failed);
    await trx.raw('DELETE FROM raw_events WHERE id = ANY(?::bigint[])', [rows.map((r) => r.id)]);
    this.processedTotal += rows.length;
    this.log.debug(
      { claimed: rows.length, ...summary, failed: failed.length, dropped },
      'pipeline batch stored',
    );
    return rows.length;
  }

  /** Normalizes one row, passes it through the event processor, groups it; null when it was dropped. */
  private async prepareRow(
    row: RawEventRow,
    trx: Knex.Transaction,
  ): Promise<{ prepared: PreparedEvent } | { error: unknown } | null> {
    try {
      let event: NormalizedEvent | null = normalizeRow(row);
      if (this.options.processEvent) event = await this.options.processEvent(event, trx, row.project_id);
      return event === null ? null : { prepared: prepareNormalized(row, event) };
    } catch (error) {
      return { error };
    }
  }

  /** An event the pipeline could not process is kept raw, with the reason, rather than dropped. */
  private async keepFailed(
    trx: Knex.Transaction,
    failed: { row: RawEventRow; error: unknown }[],
  ): Promise<void> {
    for (const { row, error } of failed)
      this.log.warn(
        { err: error, eventId: row.event_id, projectId: row.project_id, reason: failureReason(error) },
        'event could not be processed; it is set aside as event.unprocessable',
      );
    await trx('stored_items').insert(
      failed.map(({ row, error }) => ({
        project_id: row.project_id,
        received_at: row.received_at,
        item_type: UNPROCESSABLE_ITEM_TYPE,
        event_id: row.event_id,
        item_header: JSON.stringify({ error: failureReason(error) }),
        payload: Buffer.from(row.payload),
      })),
    );
  }
}

/** What is recorded as the reason an event was set aside: the error's class and message, bounded. */
function failureReason(error: unknown): string {
  const text = String(error);
  return text.length > 1000 ? `${text.slice(0, 997)}...` : text;
}

/**
 * Failures that blame the event rather than the system: SQLSTATE classes 22 (data exception, e.g.
 * an invalid byte sequence or a value out of range) and 54 (program limit exceeded, e.g. an index
 * row too large), and what our own code throws on strange data (a stack overflow in
 * JSON.stringify is a RangeError).
 */
function blamesData(error: unknown): boolean {
  if (error instanceof RangeError || error instanceof TypeError || error instanceof SyntaxError) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|54)/.test(code);
}

/**
 * The database is out of reach or not itself (SQLSTATE 08 connection, 40 rollbacks that outlived
 * their retries, 53 resources, 57 operator intervention, 58 system, XX internal; a socket error;
 * knex's pool timeout): no event is to blame, so none is set aside and the batch waits.
 */
function isOutage(error: unknown): boolean {
  const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && (/^(08|40|53|57|58|XX)/.test(code) || /^E[A-Z]+$/.test(code))) return true;
  if (name === 'KnexTimeoutError') return true;
  return (
    typeof message === 'string' &&
    /connection terminated|connection (is )?closed|pglite is closed|database system is/i.test(message)
  );
}

function uniqueDays(times: Date[]): Date[] {
  const seen = new Map<string, Date>();
  for (const t of times) seen.set(t.toISOString().slice(0, 10), t);
  return [...seen.values()];
}

/** The releases the batch's events name, for the releases domain to create those it lacks. */
function releaseSightings(prepared: PreparedEvent[]): ReleaseSighting[] {
  const sightings: ReleaseSighting[] = [];
  for (const p of prepared)
    if (p.event.release) sightings.push({ projectId: p.projectId, version: p.event.release });
  return sightings;
}
