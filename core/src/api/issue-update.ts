import type { Knex } from 'knex';
import { z } from 'zod';
import { BadRequestError } from '../errors';
import type { IssueStatus } from '../issues';

/**
 * `PUT` on issues: the body Sentry clients send, checked, and the one UPDATE that applies it.
 * Faultline has no release- or count-based resolution yet, so `statusDetails` is accepted (Sentry's
 * UI always sends it) but only `{}`-like plain resolving and archiving happen.
 */
export const issueUpdateBody = z
  .strictObject({
    status: z.enum(['resolved', 'unresolved', 'ignored']).optional(),
    // Only "forever" archiving exists; nothing un-archives issues automatically yet.
    substatus: z.enum(['archived_forever', 'ongoing']).nullable().optional(),
    statusDetails: z.record(z.string(), z.unknown()).optional(),
    assignedTo: z.string().nullable().optional(),
  })
  .refine((body) => body.status !== undefined || body.assignedTo !== undefined, {
    message: 'nothing to update: send status and/or assignedTo',
  })
  .superRefine((body, ctx) => {
    if (body.substatus === undefined || body.substatus === null) return;
    const fits =
      body.substatus === 'archived_forever' ? body.status === 'ignored' : body.status === 'unresolved';
    if (!fits) {
      ctx.addIssue({
        code: 'custom',
        path: ['substatus'],
        message: `${body.substatus} does not go with status ${body.status ?? '(none)'}`,
      });
    }
  });

export type IssueUpdateBody = z.output<typeof issueUpdateBody>;

/** Who to assign: a user, a team, or nobody. */
export type Assignee = { userId: number } | { teamId: number } | null;

export interface IssueChange {
  status?: IssueStatus;
  /** An explicit substatus that goes with `status` (checked by the body schema). */
  substatus?: 'archived_forever' | 'ongoing';
  /** Undefined leaves the assignment alone; null clears it. */
  assignee?: Assignee;
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
  const teamId = /^team:(\d{1,9})$/.exec(text)?.[1];
  if (teamId) {
    const team = await knex('teams')
      .where({ id: Number(teamId), organization_id: organization.id })
      .first('id');
    if (!team) throw notAssignable(text, organization.slug, 'no team');
    return { teamId: team.id as number };
  }
  const members = knex('users as u')
    .join('organization_members as m', 'm.user_id', 'u.id')
    .where('m.organization_id', organization.id);
  const userId = /^(?:user:)?(\d{1,9})$/.exec(text)?.[1];
  if (userId) members.where('u.id', Number(userId));
  else members.whereRaw('lower(u.email) = lower(?)', [text]);
  const user: { id: number } | undefined = await members.first('u.id');
  if (!user) throw notAssignable(text, organization.slug, 'no member');
  return { userId: user.id };
}

function notAssignable(text: string, organizationSlug: string, what: string): BadRequestError {
  return new BadRequestError(
    `Invalid body field \`assignedTo\`: ${what} of organization ${organizationSlug} matches "${text}"`,
    'invalid_request',
  );
}

/** The issue change a validated body asks for, with the assignee looked up in the organization. */
export async function issueChangeOf(
  knex: Knex,
  organization: { id: number; slug: string },
  body: IssueUpdateBody,
): Promise<IssueChange> {
  return {
    status: body.status,
    substatus: body.substatus ?? undefined,
    assignee:
      body.assignedTo === undefined ? undefined : await resolveAssignee(knex, organization, body.assignedTo),
  };
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
