import { z } from 'zod';
import { CHANGE_SURFACES } from '../../changes';
import { listIssueActivity, type IssueActivity } from '../../issues';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { isoDate } from '../serializers/dates';
import { single } from '../validation';

/** The activity types the issues domain hands out as Sentry names them; others are audit event names. */
const ACTIVITY_TYPES =
  '`set_resolved`, `set_ignored` (`data.substatus`), `set_unresolved`, `assigned` (`data.assignee`), ' +
  '`unassigned`, `note` (a comment: `data.text` as it reads now, `data.commentId`), `set_regression` ' +
  '(the pipeline reopened the resolved issue: `data.eventId`, `data.version` = its release), ' +
  '`first_seen`; a plugin action is `issue.action` (`data.plugin`, `data.action`, `data.outcome`)';

const activitySchema = z
  .strictObject({
    id: z.string(),
    type: z.string().describe(ACTIVITY_TYPES),
    data: z.record(z.string(), z.unknown()),
    user: z
      .strictObject({ id: z.string().nullable(), email: z.string().nullable() })
      .nullable()
      .describe('Who did it; null for what Faultline did by itself (a regression, the first event)'),
    surface: z
      .enum(CHANGE_SURFACES)
      .nullable()
      .describe('Where it was done: web, api, slack, vscode… (pipeline for regressions and the first event)'),
    dateCreated: z.iso.datetime(),
  })
  .meta({ id: 'Activity' });
type Activity = z.infer<typeof activitySchema>;

function serialize({ createdAt, ...entry }: IssueActivity): Activity {
  return { ...entry, dateCreated: isoDate(createdAt) };
}

export function issueActivityRoutes({ knex }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/issues/:issue/activities/',
      scope: 'event:read',
      resource: 'issue',
      summary:
        'What happened to an issue (state, assignee, comments, regressions, plugin actions, first seen), newest first, with who and through which surface',
      query: z.object({ limit: single(z.coerce.number().int().min(1).max(100).default(50)) }),
      response: z.strictObject({ activity: z.array(activitySchema) }),
      handler: async ({ target: { issue }, query }) => ({
        activity: (await listIssueActivity(knex, issue, query.limit)).map(serialize),
      }),
    }),
  ];
}
