import type { Knex } from 'knex';
import type { IssueCondition } from '../query/ast';
import type { IssueSearchIndex, IssueSearchRequest, IssueSort } from '../port';

/**
 * The default search adapter: the query AST translated into one SQL query over the issues tables
 * (Postgres and PGlite alike), so searching needs no service besides the database.
 */

const SORT_COLUMNS: Record<IssueSort, string> = {
  date: 'i.last_seen',
  new: 'i.first_seen',
  freq: 'i.times_seen',
  user: 'i.user_count',
};

/** `%`, `_` and `\` are LIKE wildcards; searching for them literally needs escaping. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function applyCondition(knex: Knex, query: Knex.QueryBuilder, condition: IssueCondition): void {
  switch (condition.kind) {
    case 'status':
      if (condition.negated) query.whereNotIn('i.status', condition.values);
      else query.whereIn('i.status', condition.values);
      return;
    case 'substatus':
      if (condition.negated)
        query.where((q) => q.whereNull('i.substatus').orWhereNotIn('i.substatus', condition.values));
      else query.whereIn('i.substatus', condition.values);
      return;
    case 'level':
      if (condition.negated) query.whereNotIn('i.level', condition.values);
      else query.whereIn('i.level', condition.values);
      return;
    case 'assigned':
      if (condition.negated) query.whereNull('i.assigned_user_id').whereNull('i.assigned_team_id');
      else query.where((q) => q.whereNotNull('i.assigned_user_id').orWhereNotNull('i.assigned_team_id'));
      return;
    case 'assignee': {
      const ids = condition.assignees.flatMap((a) => ('userId' in a ? [a.userId] : []));
      const emails = condition.assignees.flatMap((a) => ('email' in a ? [a.email.toLowerCase()] : []));
      const matches = (q: Knex.QueryBuilder) =>
        q
          .whereIn('i.assigned_user_id', ids)
          .orWhereIn('i.assigned_user_id', (sub: Knex.QueryBuilder) =>
            sub.select('id').from('users').whereRaw('lower(email) = ANY(?::text[])', [emails]),
          );
      if (condition.negated) query.where((q) => q.whereNull('i.assigned_user_id').orWhereNot(matches));
      else query.where(matches);
      return;
    }
    case 'tag': {
      const exists = (sub: Knex.QueryBuilder) =>
        sub
          .select(knex.raw('1'))
          .from('issue_tag_values as tv')
          .whereRaw('tv.issue_id = i.id')
          .andWhere('tv.key', condition.key)
          .whereIn('tv.value', condition.values);
      if (condition.negated) query.whereNotExists(exists);
      else query.whereExists(exists);
      return;
    }
    case 'text': {
      const pattern = likePattern(condition.text);
      query.where((q) =>
        q
          .where('i.title', 'ilike', pattern)
          .orWhere('i.culprit', 'ilike', pattern)
          .orWhereRaw(`upper(p.slug || '-' || i.short_id) = upper(?)`, [condition.text]),
      );
      return;
    }
  }
}

export class PostgresIssueSearch implements IssueSearchIndex {
  constructor(private readonly knex: Knex) {}

  async search(request: IssueSearchRequest): Promise<number[]> {
    const query = this.knex('issues as i')
      .join('projects as p', 'p.id', 'i.project_id')
      .whereIn('p.organization_id', request.organizationIds)
      .select('i.id');
    if (request.projectIds) query.whereIn('i.project_id', request.projectIds);
    for (const condition of request.conditions) applyCondition(this.knex, query, condition);
    const rows: { id: number }[] = await query
      .orderBy([
        { column: SORT_COLUMNS[request.sort], order: 'desc' },
        { column: 'i.id', order: 'desc' },
      ])
      .limit(request.limit)
      .offset(request.offset);
    return rows.map((row) => row.id);
  }
}
