import type { Knex } from 'knex';
import { BadRequestError } from '../../errors';
import type { IssueSearchIndex, IssueSearchRequest, IssueSort } from '../port';
import { ConditionSql } from './conditions';

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
  private readonly conditions: ConditionSql;

  constructor(private readonly knex: Knex) {
    this.conditions = new ConditionSql(knex);
  }

  async search(request: IssueSearchRequest): Promise<number[]> {
    // Translated first: a key this adapter can't answer is a 400 before any query runs.
    const where = this.conditions.of(request.expression);
    try {
      return await this.knex.transaction(async (trx) => {
        await trx.raw(`SET LOCAL statement_timeout = ${SEARCH_TIMEOUT_MS}`);
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
