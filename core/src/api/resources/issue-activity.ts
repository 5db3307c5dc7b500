import { z } from 'zod';
import { listAuditOfTarget, type AuditRow } from '../../audit';
import { CHANGE_SURFACES } from '../../changes';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { isoDate } from '../serializers/dates';
import { single } from '../validation';

/**
 * What was done to an issue, by whom and through which surface, as Sentry's activity types where
 * Sentry has one (`set_resolved`, `set_ignored`, `set_unresolved`, `assigned`, `unassigned`);
 * other audit events of the issue (a plugin's action) keep their audit name.
 */
const activitySchema = z
  .strictObject({
    id: z.string(),
    type: z.string(),
    data: z.record(z.string(), z.unknown()),
    user: z.strictObject({ id: z.string().nullable(), email: z.string().nullable() }).nullable(),
    surface: z.enum(CHANGE_SURFACES).nullable().describe('Where it was done: web, api, slack, vscode…'),
    dateCreated: z.iso.datetime(),
  })
  .meta({ id: 'Activity' });
type Activity = z.infer<typeof activitySchema>;

/** The parts of an `issue.update` request, one activity each (a PUT may resolve and assign at once). */
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

function serialize(row: AuditRow & { data: Record<string, unknown> }): Activity[] {
  const user =
    row.actor_user_id === null && row.actor_email === null
      ? null
      : { id: row.actor_user_id === null ? null : String(row.actor_user_id), email: row.actor_email };
  const common = { user, surface: row.surface, dateCreated: isoDate(row.created_at) };
  const parts =
    row.event === 'issue.update'
      ? updateTypes(row.data)
      : [
          {
            type: row.event,
            data: Object.fromEntries(Object.entries(row.data).filter(([k]) => k !== 'surface')),
          },
        ];
  return parts.map((part, index) => ({ id: `${row.id}.${index}`, ...part, ...common }));
}

export function issueActivityRoutes({ knex }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/issues/:issue/activities/',
      scope: 'event:read',
      resource: 'issue',
      summary:
        'What was done to an issue (state, assignee, plugin actions), newest first, with who and through which surface',
      query: z.object({ limit: single(z.coerce.number().int().min(1).max(100).default(50)) }),
      response: z.strictObject({ activity: z.array(activitySchema) }),
      handler: async ({ target: { issue }, query }) => {
        const rows = await listAuditOfTarget(
          knex,
          issue.organization_id,
          { type: 'issue', id: issue.id },
          query.limit,
        );
        return { activity: rows.flatMap(serialize) };
      },
    }),
  ];
}
