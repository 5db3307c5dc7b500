import { z } from 'zod';
import {
  findMemberOrganization,
  findMemberProject,
  listProjectKeys,
  listProjects,
  memberOrganizationIds,
} from '../access';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { serializeProject } from '../serializers/project';
import { serializeProjectKey } from '../serializers/project-key';
import { single } from '../validation';

export function projectRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/projects/',
      scope: 'project:read',
      summary: "An organization's projects",
      query: z.object(pageParams),
      handler: async ({ ctx, caller, params, query }) => {
        const organization = await findMemberOrganization(knex, caller.user.id, params.organization);
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listProjects(knex, [organization.id], window),
        );
        return rows.map(serializeProject);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/',
      scope: 'project:read',
      summary: "Every project of every organization the token's user is a member of",
      query: z.object(pageParams),
      handler: async ({ ctx, caller, query }) => {
        const organizationIds = await memberOrganizationIds(knex, caller.user.id);
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listProjects(knex, organizationIds, window),
        );
        return rows.map(serializeProject);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/',
      scope: 'project:read',
      summary: 'One project',
      handler: async ({ caller, params }) =>
        serializeProject(await findMemberProject(knex, caller.user.id, params.organization, params.project)),
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/keys/',
      scope: 'project:read',
      summary: "A project's client keys (DSNs)",
      query: z.object({ ...pageParams, status: single(z.enum(['active', 'inactive']).optional()) }),
      handler: async ({ ctx, caller, params, query }) => {
        const project = await findMemberProject(knex, caller.user.id, params.organization, params.project);
        const active = query.status === undefined ? undefined : query.status === 'active';
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listProjectKeys(knex, project.id, active, window),
        );
        return rows.map((key) => serializeProjectKey(key, publicUrl));
      },
    }),
  ];
}
