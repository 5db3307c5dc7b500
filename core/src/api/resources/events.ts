import { z } from 'zod';
import { NotFoundError } from '../../errors';
import { parseEventId } from '../../events';
import {
  findIssueEdgeEvent,
  findIssueEvent,
  findNeighbourEventIds,
  findProjectEvent,
  listIssueEvents,
  type EventRow,
} from '../../issues';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import {
  sentryEventSchema,
  sentryEventSummarySchema,
  serializeEvent,
  serializeEventSummary,
} from '../serializers/event';
import { addSourceLinks, type SourceLinker } from '../serializers/frame-links';
import { repeated, single } from '../validation';

export function eventRoutes({ knex, config, sourceLinks }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  const linker: SourceLinker | undefined =
    sourceLinks && ((projectId, release, frames) => sourceLinks.linksFor(projectId, release, frames));

  async function withNeighbours(row: EventRow | undefined, what: string) {
    if (!row) throw new NotFoundError(`Event ${what} not found`, 'event_not_found');
    return addSourceLinks(serializeEvent(row, await findNeighbourEventIds(knex, row)), linker);
  }

  return [
    route({
      method: 'get',
      path: '/api/0/issues/:issue/events/',
      scope: 'event:read',
      resource: 'issue',
      summary: "An issue's events, most recently received first",
      query: z.object({
        ...pageParams,
        full: single(z.enum(['true', 'false', '1', '0']).optional()),
        environment: repeated(z.string().min(1)),
      }),
      response: z.array(z.union([sentryEventSchema, sentryEventSummarySchema])),
      handler: async ({ ctx, target: { issue }, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listIssueEvents(knex, issue.id, { ...window, environments: query.environment }),
        );
        const full = query.full === 'true' || query.full === '1';
        return rows.map((row) => (full ? serializeEvent(row) : serializeEventSummary(row)));
      },
    }),
    route({
      method: 'get',
      path: '/api/0/issues/:issue/events/:event/',
      scope: 'event:read',
      resource: 'issue',
      summary: "One of an issue's events: an event id, or latest, oldest or recommended",
      response: sentryEventSchema,
      handler: async ({ params, target: { issue } }) => {
        const which = params.event.toLowerCase();
        if (which === 'latest' || which === 'recommended') {
          // Sentry's "recommended" prefers a complete recent event; the latest is a fair stand-in.
          return withNeighbours(await findIssueEdgeEvent(knex, issue.id, 'latest'), which);
        }
        if (which === 'oldest')
          return withNeighbours(await findIssueEdgeEvent(knex, issue.id, 'oldest'), which);
        const eventId = parseEventId(params.event);
        return withNeighbours(
          eventId ? await findIssueEvent(knex, issue.id, eventId) : undefined,
          params.event,
        );
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/events/:event/',
      scope: 'event:read',
      resource: 'project',
      summary: 'One event of a project, by event id',
      response: sentryEventSchema,
      handler: async ({ params, target: { project } }) => {
        const eventId = parseEventId(params.event);
        return withNeighbours(
          eventId ? await findProjectEvent(knex, project.id, eventId) : undefined,
          params.event,
        );
      },
    }),
  ];
}
