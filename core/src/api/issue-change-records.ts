import type { Knex } from 'knex';
import type { NewIssueChange, ChangeSurface } from '../changes';

/** The part of an issue a REST update can change. */
export interface IssueState {
  id: number;
  status: string;
  substatus: string | null;
  assigned_user_id: number | null;
  assigned_team_id: number | null;
}

/** Reads (and locks until commit) the changeable state of issues, so before/after pairs are exact. */
export async function lockIssueStates(trx: Knex.Transaction, issueIds: number[]): Promise<IssueState[]> {
  if (issueIds.length === 0) return [];
  return trx('issues')
    .whereIn('id', issueIds)
    .orderBy('id')
    .forUpdate()
    .select('id', 'status', 'substatus', 'assigned_user_id', 'assigned_team_id');
}

const assigneeOf = (s: IssueState): string | null =>
  s.assigned_user_id !== null
    ? `user:${s.assigned_user_id}`
    : s.assigned_team_id !== null
      ? `team:${s.assigned_team_id}`
      : null;

/** The outbox rows for what really changed between `before` and `after` (nothing for a no-op). */
export function issueChangeRecords(
  before: IssueState[],
  after: IssueState[],
  actor: { userId: number | null; surface: ChangeSurface },
): NewIssueChange[] {
  const old = new Map(before.map((s) => [s.id, s]));
  const changes: NewIssueChange[] = [];
  for (const now of after) {
    const was = old.get(now.id);
    if (!was) continue;
    const common = { issueId: now.id, surface: actor.surface, actorUserId: actor.userId };
    if (was.status !== now.status || was.substatus !== now.substatus) {
      changes.push({
        ...common,
        kind: 'state_changed',
        data: {
          from: { status: was.status, substatus: was.substatus },
          to: { status: now.status, substatus: now.substatus },
        },
      });
    }
    if (assigneeOf(was) !== assigneeOf(now)) {
      changes.push({ ...common, kind: 'assigned', data: { from: assigneeOf(was), to: assigneeOf(now) } });
    }
  }
  return changes;
}
