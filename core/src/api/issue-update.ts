import type { Knex } from 'knex';
import { z } from 'zod';
import { ISSUE_STATUSES, resolveAssignee, type IssueChange } from '../issues';

/**
 * `PUT` on issues: the body Sentry clients send, checked, and turned into the issues domain's change.
 * Faultline has no release- or count-based resolution yet, so `statusDetails` is accepted (Sentry's
 * UI always sends it) but only `{}`-like plain resolving and archiving happen.
 */
export const issueUpdateBody = z
  .strictObject({
    status: z.enum(ISSUE_STATUSES).optional(),
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
