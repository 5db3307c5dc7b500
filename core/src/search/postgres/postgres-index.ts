import type { Knex } from 'knex';
import { BadRequestError } from '../../errors';
import type { IssueSearchIndex, IssueSearchRequest, IssueSort } from '../port';
import type { SearchExpression } from '../query/ast';
import { ConditionSql, mentions, type LatestRelease } from './conditions';

/**
 * The default search adapter: the query expression translated into one SQL query over the issues
 * tables (Postgres and PGlite alike), so searching needs no service besides the database.
 */

const SORT_COLUMNS: Record<IssueSort, string> = {
  date: 'i.last_seen',
  new: 'i.first_seen',
  freq: 'i.times_seen',
  user: 'i.user_count',
};

/**
 * Longest a search may run: a search people can type must not hold a connection for long,
 * however it was written. Past it the caller gets a 400 asking for a narrower search.
 */
export const SEARCH_TIMEOUT_MS = 5_000;

/** Postgres' "canceling statement due to statement timeout". */
const QUERY_CANCELED = '57014';

export class PostgresIssueSearch implements IssueSearchIndex {
  constructor(private readonly knex: Knex) {}

  /** Per searched project, the release whose tag first appeared most recently. */
  private async latestReleases(trx: Knex.Transaction, request: IssueSearchRequest): Promise<LatestRelease[]> {
    const query = trx('issue_tag_values as tv')
      .join('issues as i', 'i.id', 'tv.issue_id')
      .join('projects as p', 'p.id', 'i.project_id')
      .where('tv.key', 'release')
      .whereIn('p.organization_id', request.organizationIds)
      .distinctOn('i.project_id')
      .select('i.project_id as projectId', 'tv.value as release')
      .orderBy([{ column: 'i.project_id' }, { column: 'tv.first_seen', order: 'desc' }]);
    if (request.projectIds) query.whereIn('i.project_id', request.projectIds);
    return query;
  }

  async search(request: IssueSearchRequest): Promise<number[]> {
    // Translated once first: a key this adapter can't answer is a 400 before any query runs.
    let where = new ConditionSql(this.knex).of(request.expression);
    try {
      return await this.knex.transaction(async (trx) => {
        await trx.raw(`SET LOCAL statement_timeout = ${SEARCH_TIMEOUT_MS}`);
        if (mentions(request.expression, 'latestRelease')) {
          where = new ConditionSql(this.knex, await this.latestReleases(trx, request)).of(request.expression);
        }
        const query = trx('issues as i')
          .join('projects as p', 'p.id', 'i.project_id')
          .whereIn('p.organization_id', request.organizationIds)
          .whereRaw('?', [where])
          .select('i.id');
        if (request.projectIds) query.whereIn('i.project_id', request.projectIds);
        const rows: { id: number }[] = await query
          .orderBy([
            { column: SORT_COLUMNS[request.sort], order: 'desc' },
            { column: 'i.id', order: 'desc' },
          ])
          .limit(request.limit)
          .offset(request.offset);
        return rows.map((row) => row.id);
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === QUERY_CANCELED) {
        throw new BadRequestError(
          `This search took longer than ${SEARCH_TIMEOUT_MS / 1000} s and was stopped; narrow it (a project, a status, fewer wildcards)`,
          'search_timeout',
        );
      }
      throw error;
    }
  }
}

/**
 * Which of a project's `issueIds` match `expression`, read through `db`: an alert rule's query
 * filter, asked in the evaluation's transaction. The same SQL as a search (whatever index answers
 * searches, the database holds every issue), narrowed to those issues.
 */
export async function issuesMatching(
  db: Knex | Knex.Transaction,
  projectId: number,
  issueIds: number[],
  expression: SearchExpression,
): Promise<Set<number>> {
  if (issueIds.length === 0) return new Set();
  const releases: LatestRelease[] = mentions(expression, 'latestRelease')
    ? await db('issue_tag_values as tv')
        .join('issues as i', 'i.id', 'tv.issue_id')
        .where({ 'tv.key': 'release', 'i.project_id': projectId })
        .select('i.project_id as projectId', 'tv.value as release')
        .orderBy('tv.first_seen', 'desc')
        .limit(1)
    : [];
  const where = new ConditionSql(db as Knex, releases).of(expression);
  const rows: { id: number }[] = await db('issues as i')
    .join('projects as p', 'p.id', 'i.project_id')
    .where('i.project_id', projectId)
    .whereIn('i.id', issueIds)
    .whereRaw('?', [where])
    .select('i.id');
  return new Set(rows.map((row) => Number(row.id)));
}
