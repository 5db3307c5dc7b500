import type { Knex } from 'knex';
import { recordAudit, type AuditActor } from '../audit';
import { recordIssueChanges, type ChangeSurface, type NewIssueChange } from '../changes';
import { BadRequestError } from '../errors';
import { findMembership } from '../organizations';
import type { IssueStatus } from './queries';
import { parseAssigneeRef } from './types';

/**
 * Changing an issue's status or assignee: the one path every surface takes (the REST API, plugins,
 * later Slack and VS Code through the API), so the state rules, the change outbox and the audit log
 * are the same whoever asks.
 */

/** Who to assign: a user, a team, or nobody. */
export type Assignee = { userId: number } | { teamId: number } | null;

export interface IssueChange {
  status?: IssueStatus;
  /** An explicit substatus that goes with `status` (the caller checked that they fit). */
  substatus?: 'archived_forever' | 'ongoing';
  /** Undefined leaves the assignment alone; null clears it. */
  assignee?: Assignee;
}

/** Who made a change and through which surface; `audit` is the audit log's richer "who". */
export interface IssueChangeActor {
  userId: number | null;
  surface: ChangeSurface;
  audit: AuditActor;
}

/**
 * Resolves Sentry's `assignedTo` (`user:ID`, `team:ID`, a user id, an email/username, or `''`/null
 * to unassign) to a member or team of the organization; anything else is a 400 naming the field.
 */
export async function resolveAssignee(
  knex: Knex,
  organization: { id: number; slug: string },
  assignedTo: string | null,
): Promise<Assignee> {
  if (assignedTo === null || assignedTo.trim() === '') return null;
  const text = assignedTo.trim();
  const ref = parseAssigneeRef(text);
  if (ref && 'teamId' in ref) {
    const team = await knex('teams').where({ id: ref.teamId, organization_id: organization.id }).first('id');
    if (!team) throw notAssignable(text, organization.slug, 'no team');
    return { teamId: team.id as number };
  }
  const member = await findMembership(knex, organization.id, ref ?? { email: text });
  if (!member) throw notAssignable(text, organization.slug, 'no member');
  return { userId: member.user_id };
}

function notAssignable(text: string, organizationSlug: string, what: string): BadRequestError {
  return new BadRequestError(
    `Invalid body field \`assignedTo\`: ${what} of organization ${organizationSlug} matches "${text}"`,
    'invalid_request',
  );
}

/**
 * Applies a change to issues in one statement. Resolving stamps `resolved_at` (once); resolving,
 * archiving and reopening a resolved or archived issue all clear the regression mark, since someone
 * has now looked at it; setting `unresolved` on an unresolved issue leaves it as it was.
 */
export async function applyIssueChange(knex: Knex, issueIds: number[], change: IssueChange): Promise<void> {
  const patch: Record<string, unknown> = {};
  switch (change.status) {
    case 'resolved':
      Object.assign(patch, {
        status: 'resolved',
        substatus: null,
        is_regression: false,
        resolved_at: knex.raw(`CASE WHEN status = 'resolved' THEN resolved_at ELSE now() END`),
      });
      break;
    case 'ignored':
      Object.assign(patch, {
        status: 'ignored',
        substatus: 'archived_forever',
        is_regression: false,
        resolved_at: null,
      });
      break;
    case 'unresolved':
      Object.assign(patch, {
        status: 'unresolved',
        substatus: knex.raw(`CASE WHEN status = 'unresolved' THEN substatus ELSE 'ongoing' END`),
        is_regression: knex.raw(`CASE WHEN status = 'unresolved' THEN is_regression ELSE false END`),
        resolved_at: null,
      });
      break;
  }
  if (change.substatus !== undefined) patch.substatus = change.substatus;
  // Marking a regressed issue "ongoing" explicitly is looking at it, like reopening it.
  if (change.substatus === 'ongoing') patch.is_regression = false;
  if (change.assignee !== undefined) {
    patch.assigned_user_id = change.assignee && 'userId' in change.assignee ? change.assignee.userId : null;
    patch.assigned_team_id = change.assignee && 'teamId' in change.assignee ? change.assignee.teamId : null;
  }
  if (Object.keys(patch).length === 0 || issueIds.length === 0) return;
  await knex('issues').whereIn('id', issueIds).update(patch);
}

/** The part of an issue a change can touch. */
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

/**
 * Applies `change` to issues of one organization and records it, in one transaction: the outbox
 * rows for what really changed (none for a no-op) and one audit entry per issue with `request` (what
 * was asked, e.g. the REST body) and the surface.
 */
export async function changeIssues(
  knex: Knex,
  options: {
    organizationId: number;
    issues: { id: number; shortId: string }[];
    change: IssueChange;
    actor: IssueChangeActor;
    request: Record<string, unknown>;
  },
): Promise<void> {
  const { organizationId, issues, change, actor } = options;
  const ids = issues.map((issue) => issue.id);
  await knex.transaction(async (trx) => {
    const before = await lockIssueStates(trx, ids);
    await applyIssueChange(trx, ids, change);
    const after = await lockIssueStates(trx, ids);
    await recordIssueChanges(trx, issueChangeRecords(before, after, actor));
    for (const issue of issues) {
      await recordAudit(trx, {
        organizationId,
        actor: actor.audit,
        event: 'issue.update',
        target: { type: 'issue', id: issue.id },
        data: { surface: actor.surface, shortId: issue.shortId, ...options.request },
      });
    }
  });
}
