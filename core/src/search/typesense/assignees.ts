import type { Knex } from 'knex';
import type { AssigneeRef, SearchExpression } from '../query/ast';

/**
 * `assigned:` an email, `#team` or `my_teams` names users and teams the index doesn't know by
 * those names: they are looked up in Postgres first (as the Postgres adapter's subqueries do), so
 * Typesense filters by their ids.
 */

export type AssigneeIds = Map<AssigneeRef, { users: number[] } | { teams: number[] }>;

function refsOf(expression: SearchExpression): AssigneeRef[] {
  switch (expression.kind) {
    case 'and':
    case 'or':
      return expression.operands.flatMap(refsOf);
    case 'not':
      return refsOf(expression.operand);
    case 'assignee':
      return expression.assignees.filter((a) => 'email' in a || 'teamSlug' in a || 'teamsOf' in a);
    default:
      return [];
  }
}

export async function resolveAssignees(
  knex: Knex,
  expression: SearchExpression,
  organizationIds: number[],
): Promise<AssigneeIds> {
  const resolved: AssigneeIds = new Map();
  for (const ref of refsOf(expression)) {
    if ('email' in ref) {
      const rows: { id: number }[] = await knex('users')
        .whereRaw('lower(email) = lower(?)', [ref.email])
        .select('id');
      resolved.set(ref, { users: rows.map((row) => row.id) });
    } else if ('teamSlug' in ref) {
      // Teams belong to one organization, and only the caller's organizations' issues are searched.
      const rows: { id: number }[] = await knex('teams')
        .whereIn('organization_id', organizationIds)
        .andWhere('slug', ref.teamSlug)
        .select('id');
      resolved.set(ref, { teams: rows.map((row) => row.id) });
    } else if ('teamsOf' in ref) {
      const rows: { team_id: number }[] = await knex('team_members')
        .where('user_id', ref.teamsOf)
        .select('team_id');
      resolved.set(ref, { teams: rows.map((row) => row.team_id) });
    }
  }
  return resolved;
}
