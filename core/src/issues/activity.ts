import type { Knex } from 'knex';
import { listAuditOfTarget, type AuditRow } from '../audit';
import type { ChangeSurface } from '../changes';
import { listIssueComments } from './comments';

/**
 * An issue's activity: what was done to it, by whom and through which surface, as Sentry's activity
 * types where Sentry has one. It gathers what is kept durably elsewhere: the audit log (state and
 * assignee changes, plugin actions), the comments (`note`, with their current text, so an edit shows
 * and a deleted comment is gone), the pipeline's regressions (`set_regression`) and the first event
 * (`first_seen`). Audit events without a Sentry type (a plugin's action) keep their audit name.
 */
export interface IssueActivity {
  id: string;
  type: string;
  data: Record<string, unknown>;
  user: { id: string | null; email: string | null } | null;
  surface: ChangeSurface | null;
  createdAt: Date;
}

/** The issue as its activity needs it. */
export interface ActivityIssue {
  id: number;
  organization_id: number;
  first_seen: Date | string;
}

/** The parts of an `issue.update` audit entry, one activity each (a PUT may resolve and assign at once). */
function updateTypes(data: Record<string, unknown>): { type: string; data: Record<string, unknown> }[] {
  const types: { type: string; data: Record<string, unknown> }[] = [];
  if (data.status === 'resolved') types.push({ type: 'set_resolved', data: {} });
  if (data.status === 'ignored')
    types.push({ type: 'set_ignored', data: { substatus: data.substatus ?? null } });
  if (data.status === 'unresolved') types.push({ type: 'set_unresolved', data: {} });
  if (data.assignedTo !== undefined)
    types.push(
      data.assignedTo === null || data.assignedTo === ''
        ? { type: 'unassigned', data: {} }
        : { type: 'assigned', data: { assignee: data.assignedTo } },
    );
  return types;
}

function fromAudit(row: AuditRow & { data: Record<string, unknown> }): IssueActivity[] {
  const user =
    row.actor_user_id === null && row.actor_email === null
      ? null
      : { id: row.actor_user_id === null ? null : String(row.actor_user_id), email: row.actor_email };
  const parts =
    row.event === 'issue.update'
      ? updateTypes(row.data)
      : [
          {
            type: row.event,
            data: Object.fromEntries(Object.entries(row.data).filter(([k]) => k !== 'surface')),
          },
        ];
  return parts.map((part, index) => ({
    id: `${row.id}.${index}`,
    ...part,
    user,
    surface: row.surface,
    createdAt: new Date(row.created_at),
  }));
}

async function comments(knex: Knex, issueId: number, limit: number): Promise<IssueActivity[]> {
  const rows = await listIssueComments(knex, issueId, limit);
  return rows.map((c) => ({
    id: `note.${c.id}`,
    type: 'note',
    data: { commentId: String(c.id), text: c.text },
    user: c.user_id === null ? null : { id: String(c.user_id), email: c.user_email },
    surface: c.surface,
    createdAt: new Date(c.created_at),
  }));
}

async function regressions(knex: Knex, issueId: number, limit: number): Promise<IssueActivity[]> {
  const rows: { id: string | number; event_id: string; release: string | null; created_at: Date }[] =
    await knex('issue_regressions')
      .where('issue_id', issueId)
      .orderBy('id', 'desc')
      .limit(limit)
      .select('id', 'event_id', 'release', 'created_at');
  return rows.map((r) => ({
    id: `regression.${r.id}`,
    type: 'set_regression',
    // Sentry's `set_regression` names the release that brought the issue back as `version`.
    data: { eventId: r.event_id, version: r.release },
    user: null,
    surface: 'pipeline',
    createdAt: new Date(r.created_at),
  }));
}

/** The issue's activity, newest first, at most `limit` entries (the first event is the oldest). */
export async function listIssueActivity(
  knex: Knex,
  issue: ActivityIssue,
  limit: number,
): Promise<IssueActivity[]> {
  const [audit, notes, regressed] = await Promise.all([
    listAuditOfTarget(knex, issue.organization_id, { type: 'issue', id: issue.id }, limit),
    comments(knex, issue.id, limit),
    regressions(knex, issue.id, limit),
  ]);
  const firstSeen: IssueActivity = {
    id: 'first_seen',
    type: 'first_seen',
    data: {},
    user: null,
    surface: 'pipeline',
    createdAt: new Date(issue.first_seen),
  };
  return [...audit.flatMap(fromAudit), ...notes, ...regressed]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .concat(firstSeen)
    .slice(0, limit);
}
