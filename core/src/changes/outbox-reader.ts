import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { SignalLoop, type RoundOutcome } from '../db';
import type { IssueChangeRecord } from './kinds';
import { LeasedCursor, type RoundWork } from './leased-cursor';

/** The cursors of the outbox's named readers (the alert evaluator, the search indexer): a row each. */
export const CHANGE_CURSORS = 'change_cursors';

export interface OutboxReaderOptions {
  knex: Knex;
  /** The reader's name: its row in `change_cursors`. */
  consumer: string;
  /** Changes read per round. */
  batchSize: number;
  /** Plans a round over a batch: reads what it needs, returns the work done with the advance. */
  plan: (changes: IssueChangeRecord[]) => Promise<RoundWork>;
  /** SQL true when the reader has nothing to do with changes: the cursor then skips them unread. */
  idleWhen?: () => Knex.Raw;
  onError: (err: unknown) => void;
  /** How long a claimed cursor stays with this process without renewal (default 30 s). */
  leaseMs?: number;
  /** Gap between rounds while changes keep coming (default 250 ms). */
  pollMs?: number;
  /** The safety-net poll when no change is announced (default 30 s). */
  idlePollMs?: number;
}

/**
 * One named reader of the change outbox, woken by the `changes` signal with a slow poll as the safety
 * net: its cursor is created at "now" on the first start (it sees changes from then on), leased by one
 * process at a time, and advanced only in the transaction of the work a round planned. The alert
 * evaluator and the search indexer are readers; plugin hooks keep per-plugin cursors of their own.
 */
export class OutboxReader {
  private readonly owner = randomUUID();
  private readonly cursor: LeasedCursor;
  private readonly loop: SignalLoop;

  constructor(private readonly options: OutboxReaderOptions) {
    const row = { table: CHANGE_CURSORS, keyColumn: 'consumer', key: options.consumer };
    this.cursor = new LeasedCursor(options.knex, row, this.owner, options.leaseMs ?? 30_000);
    this.loop = new SignalLoop({
      knex: options.knex,
      wakeOn: ['changes'],
      round: () => this.round(),
      onError: options.onError,
      activeMs: options.pollMs,
      idleMs: options.idlePollMs,
    });
  }

  async start(): Promise<void> {
    await this.ensureCursor();
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await LeasedCursor.releaseAll(this.options.knex, CHANGE_CURSORS, this.owner);
  }

  /** Reads until caught up (for tests). Returns the changes this reader handled. */
  async drain(): Promise<number> {
    await this.ensureCursor();
    let total = 0;
    for (let n = await this.pump(); n > 0; n = await this.pump()) total += n;
    return total;
  }

  private ensureCursor(): Promise<void> {
    return LeasedCursor.ensureAll(this.options.knex, CHANGE_CURSORS, 'consumer', [this.options.consumer]);
  }

  /** A round of the loop: nothing unless there are new changes the reader has something to do with. */
  private async round(): Promise<RoundOutcome> {
    if (!(await this.cursor.hasNew())) return 'none';
    if (this.options.idleWhen && (await this.cursor.skipToNow(this.options.idleWhen()))) return 'none';
    const handled = await this.pump();
    return handled >= this.options.batchSize ? 'more' : handled > 0 ? 'some' : 'none';
  }

  private pump(): Promise<number> {
    return this.cursor.consume(this.options.batchSize, this.options.plan);
  }
}
