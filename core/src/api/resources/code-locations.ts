import { z } from 'zod';
import { LEVELS } from '../../events';
import { ISSUE_STATUSES, listCodeLocations } from '../../issues';
import { projectsInScope } from '../../organizations';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { pageParams, pageRequest, paginate } from '../pagination';
import { codeLocationSchema, serializeCodeLocation } from '../serializers/code-location';
import { repeated, single } from '../validation';

/**
 * Editors sync every unresolved issue of a workspace at start-up; pages of up to 1,000 keep 5,000
 * issues to five requests (the other lists stop at 100).
 */
const MAX_CODE_LOCATIONS_PAGE = 1000;
const pageLimit = single(z.coerce.number().int().min(1).max(MAX_CODE_LOCATIONS_PAGE).optional());

const codeLocationQuery = z.object({
  ...pageParams,
  limit: pageLimit,
  per_page: pageLimit,
  project: repeated(z.coerce.number().int()),
  environment: repeated(z.string().min(1)),
  level: repeated(z.enum(LEVELS)),
  status: repeated(z.enum(ISSUE_STATUSES)),
  id: repeated(z.coerce.number().int().positive()),
});

export function codeLocationRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/code-locations/',
      scope: 'event:read',
      resource: 'organization',
      summary:
        'Faultline: per issue (unresolved unless ?status= says otherwise), the in-app frames of its latest event and the counts an editor shows; ?id= limits it to the given issues',
      query: codeLocationQuery,
      response: z.array(codeLocationSchema),
      handler: async ({ ctx, target: { access }, query }) => {
        const locations = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listCodeLocations(knex, {
            ...window,
            organizationIds: [access.organization.id],
            projectIds: projectsInScope(access, query.project),
            environments: query.environment,
            levels: query.level,
            statuses: query.status.length > 0 ? query.status : ['unresolved'],
            issueIds: query.id,
          }),
        );
        return locations.map((location) => serializeCodeLocation(location, publicUrl));
      },
    }),
  ];
}
