import { z } from 'zod';
import { listProjectEnvironments } from '../../issues';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';

/** Sentry's environment; Faultline keeps no environment rows, so its id is its name. */
const sentryEnvironmentSchema = z
  .strictObject({
    id: z.string().describe('The name again: Faultline has no separate environment ids'),
    name: z.string(),
    isHidden: z.literal(false),
  })
  .meta({ id: 'Environment' });

/** The environments of a project's events, for pickers such as the issue list's environment filter. */
export function environmentRoutes({ knex }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/environments/',
      scope: 'project:read',
      resource: 'project',
      summary: "The environments the project's events came from, by name",
      response: z.array(sentryEnvironmentSchema),
      handler: async ({ target: { project } }) => {
        const names = await listProjectEnvironments(knex, project.id);
        return names.map((name) => ({ id: name, name, isHidden: false as const }));
      },
    }),
  ];
}
