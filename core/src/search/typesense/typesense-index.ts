import type { Knex } from 'knex';
import type { Client } from 'typesense';
import type { Logger } from '../../logging';
import type { IssueSearchIndex, IssueSearchRequest } from '../port';
import { resolveAssignees } from './assignees';
import { failureOf, httpStatusOf } from './client';
import { findsNothing, NotExpressible, translate } from './translate';

/**
 * Issue search answered by Typesense, with Postgres (`fallback`) answering what Typesense can't:
 * a search `translate` can't express (a debug log says which shape), and every search while
 * Typesense is unreachable (one warning when it goes away, one line when it is back).
 */

/** After a failure, searches go straight to Postgres this long before Typesense is tried again. */
const RETRY_AFTER_MS = 10_000;

export class TypesenseIssueSearch implements IssueSearchIndex {
  private downUntil = 0;
  private down = false;

  constructor(
    /** For the users and teams `assigned:` names by email or slug (the issues live in Typesense). */
    private readonly knex: Knex,
    private readonly client: Client,
    private readonly collection: string,
    private readonly fallback: IssueSearchIndex,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async search(request: IssueSearchRequest): Promise<number[]> {
    if (findsNothing(request)) return [];
    // While Typesense is away, Postgres answers: nothing to translate (or look up) for it.
    if (this.now() < this.downUntil) return this.fallback.search(request);
    let query;
    try {
      query = translate(
        request,
        await resolveAssignees(this.knex, request.expression, request.organizationIds),
      );
    } catch (error) {
      if (!(error instanceof NotExpressible)) throw error;
      this.log.debug({ shape: error.message }, 'search answered by Postgres: Typesense cannot express it');
      return this.fallback.search(request);
    }
    const { skip, ...params } = query;
    let hits;
    try {
      const answer = await this.client
        .collections<{ issue_id: number }>(this.collection)
        .documents()
        .search({ ...params, include_fields: 'issue_id' }, { cacheSearchResultsForSeconds: 0 });
      hits = answer.hits ?? [];
    } catch (error) {
      return this.failed(error, request);
    }
    if (this.down) {
      this.down = false;
      this.log.info('Typesense answers again; searches go to it');
    }
    return hits.slice(skip, skip + request.limit).map((hit) => hit.document.issue_id);
  }

  private failed(error: unknown, request: IssueSearchRequest): Promise<number[]> {
    const status = httpStatusOf(error);
    if (status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 404) {
      // Typesense refused what translate wrote: a bug here, not an outage. Postgres still answers.
      this.log.error({ failure: failureOf(error) }, 'Typesense refused a search; answered by Postgres');
      return this.fallback.search(request);
    }
    this.downUntil = this.now() + RETRY_AFTER_MS;
    if (!this.down) {
      this.down = true;
      this.log.warn(
        { failure: failureOf(error) },
        status === 404
          ? `Typesense has no collection ${this.collection} (run \`faultline search reindex\`); searches go to Postgres until it has`
          : 'Typesense is unreachable; searches go to Postgres until it is back',
      );
    }
    return this.fallback.search(request);
  }
}
