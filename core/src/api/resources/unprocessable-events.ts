import { listUnprocessableEvents } from '../../pipeline';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { pageParams, pageRequest, paginate } from '../pagination';
import { isoDate } from '../serializers/dates';
import { z } from 'zod';

/** An event set aside by the pipeline, and why. */
const unprocessableEventSchema = z
  .strictObject({
    id: z.string(),
    eventID: z.string().nullable(),
    dateReceived: z.iso.datetime(),
    reason: z.string(),
  })
  .meta({ id: 'UnprocessableEvent' });

/**
 * Events of a project that were acknowledged but could not be processed (the pipeline set them
 * aside rather than let them stop everyone's events), with the reason: a Faultline route, Sentry
 * has none.
 */
export function unprocessableEventRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/unprocessable-events/',
      scope: 'event:read',
      resource: 'project',
      summary: "A project's events that could not be processed, with the reason, most recent first",
      query: z.object({ ...pageParams }),
      response: z.array(unprocessableEventSchema),
      handler: async ({ ctx, target: { project }, query }) => {
        const rows = await paginate(ctx, config.http.publicUrl, pageRequest(query), (window) =>
          listUnprocessableEvents(knex, project.id, window),
        );
        return rows.map((row) => ({
          id: row.id,
          eventID: row.eventId,
          dateReceived: isoDate(row.receivedAt),
          reason: row.reason,
        }));
      },
    }),
  ];
}
