import type { Knex } from 'knex';
import type { Client } from 'typesense';
import { OutboxReader, type IssueChangeRecord, type RoundWork } from '../../changes';
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

/**
 * Keeps the Typesense collection in step with Postgres: one more leased-cursor reader of the change
 * outbox (as plugin hooks and alert rules read it). A round reads a batch of changes, upserts the
 * current state of the issues they name and only then advances the cursor, so a crash or an outage
 * sends the same batch again (harmless: upserts) and a restart resumes where the cursor is. One
 * process at a time holds the lease.
 */
export class TypesenseIndexer {
  private readonly reader: OutboxReader;

  constructor(private readonly options: TypesenseIndexerOptions) {
    this.reader = new OutboxReader({
      knex: options.knex,
      consumer: 'typesense-issues',
      batchSize: options.batchSize ?? 500,
      plan: (changes) => this.plan(changes),
      onError: (err) =>
        this.options.log.warn(
          { failure: failureOf(err) },
          'indexing issues in Typesense failed; retrying later',
        ),
      leaseMs: options.leaseMs,
      pollMs: options.pollMs,
      idlePollMs: options.idlePollMs,
    });
  }

  /**
   * Creates the cursor if missing, at "now": `faultline search reindex` brings the issues before it
   * (and creates the collection; until then rounds fail and the cursor waits).
   */
  start(): Promise<void> {
    return this.reader.start();
  }

  stop(): Promise<void> {
    return this.reader.stop();
  }

  /** Indexes what is there until caught up (for tests). Returns the changes handled. */
  drain(): Promise<number> {
    return this.reader.drain();
  }

  /** A round: the batch's issues go to Typesense before the cursor moves past their changes. */
  private async plan(changes: IssueChangeRecord[]): Promise<RoundWork> {
    const { knex, client, collection } = this.options;
    try {
      await indexIssues(knex, client, collection, [...new Set(changes.map((c) => c.issueId))]);
    } catch (error) {
      if (httpStatusOf(error) === 404) throw new MissingCollection(collection);
      throw error;
    }
    return async () => undefined;
  }
}
