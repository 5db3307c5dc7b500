import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Client } from 'typesense';
import { LeasedCursor } from '../../changes';
import { SignalLoop, type RoundOutcome } from '../../db';
import type { Logger } from '../../logging';
import { failureOf, httpStatusOf } from './client';
import { indexIssues } from './documents';

export interface TypesenseIndexerOptions {
  knex: Knex;
  client: Client;
  collection: string;
  log: Logger;
  /** Changes read per round (default 500); their issues go to Typesense in one import. */
  batchSize?: number;
  /** How long a claimed cursor stays with this indexer without renewal (default 30 s). */
  leaseMs?: number;
  /** Gap between rounds while changes keep coming (default 250 ms). */
  pollMs?: number;
  /** The safety-net poll when no change is announced, and the retry gap while Typesense is down (default 30 s). */
  idlePollMs?: number;
}

/**
 * The collection is made by `faultline search reindex`, never by the indexer: a collection holding
 * only the issues changed since the indexer started would answer searches with the others missing,
 * while without one every search goes to Postgres. The indexer's cursor waits meanwhile.
 */
export class MissingCollection extends Error {
  constructor(collection: string) {
    super(`Typesense has no collection ${collection} yet: run \`faultline search reindex\` to fill it`);
  }
}

/** The indexer's row in `search_index_cursors`. */
const CURSORS = { table: 'search_index_cursors', keyColumn: 'consumer', key: 'typesense-issues' };

/**
 * Keeps the Typesense collection in step with Postgres: one more leased-cursor reader of the change
 * outbox (as plugin hooks and alert rules read it). A round reads a batch of changes, upserts the
 * current state of the issues they name and only then advances the cursor, so a crash or an outage
 * sends the same batch again (harmless: upserts) and a restart resumes where the cursor is. One
 * process at a time holds the lease.
 */
export class TypesenseIndexer {
  private readonly owner = randomUUID();
  private readonly cursor: LeasedCursor;
  private readonly loop: SignalLoop;

  constructor(private readonly options: TypesenseIndexerOptions) {
    this.cursor = new LeasedCursor(options.knex, CURSORS, this.owner, options.leaseMs ?? 30_000);
    this.loop = new SignalLoop({
      knex: options.knex,
      wakeOn: ['changes'],
      round: () => this.round(),
      onError: (err) =>
        this.options.log.warn(
          { failure: failureOf(err) },
          'indexing issues in Typesense failed; retrying later',
        ),
      activeMs: options.pollMs,
      idleMs: options.idlePollMs,
    });
  }

  /**
   * Creates the cursor if missing, at "now": `faultline search reindex` brings the issues before it
   * (and creates the collection; until then rounds fail and the cursor waits).
   */
  async start(): Promise<void> {
    await this.ensureCursor();
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await LeasedCursor.releaseAll(this.options.knex, CURSORS.table, this.owner);
  }

  /** Indexes what is there until caught up (for tests). Returns the changes handled. */
  async drain(): Promise<number> {
    await this.ensureCursor();
    let total = 0;
    for (let n = await this.pump(); n > 0; n = await this.pump()) total += n;
    return total;
  }

  private ensureCursor(): Promise<void> {
    return LeasedCursor.ensureAll(this.options.knex, CURSORS.table, CURSORS.keyColumn, [CURSORS.key]);
  }

  private async round(): Promise<RoundOutcome> {
    if (!(await this.cursor.hasNew())) return 'none';
    const handled = await this.pump();
    return handled >= this.batchSize ? 'more' : handled > 0 ? 'some' : 'none';
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  /** One round: the batch's issues go to Typesense before the cursor moves past their changes. */
  private pump(): Promise<number> {
    const { knex, client, collection } = this.options;
    return this.cursor.consume(this.batchSize, async (changes) => {
      try {
        await indexIssues(knex, client, collection, [...new Set(changes.map((c) => c.issueId))]);
      } catch (error) {
        if (httpStatusOf(error) === 404) throw new MissingCollection(collection);
        throw error;
      }
      return async () => undefined;
    });
  }
}
