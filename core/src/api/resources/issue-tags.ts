import { z } from 'zod';
import { listIssueTagValues } from '../../issues';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { sentryTagKeySchema, serializeTagKeys } from '../serializers/tag';
import { single } from '../validation';

/** Sentry shows nine top values per tag key. */
const DEFAULT_TOP_VALUES = 9;

export function issueTagRoutes({ knex }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/issues/:issue/tags/',
      scope: 'event:read',
      resource: 'issue',
      summary: "Per tag key, the issue's most frequent values and their counts",
      query: z.object({ limit: single(z.coerce.number().int().min(1).max(100).default(DEFAULT_TOP_VALUES)) }),
      response: z.array(sentryTagKeySchema),
      handler: async ({ target: { issue }, query }) => {
        return serializeTagKeys(await listIssueTagValues(knex, issue.id, query.limit));
      },
    }),
  ];
}
