import { z } from 'zod';
import { findMemberOrganization, listMemberOrganizations } from '../access';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { serializeOrganization } from '../serializers/organization';

export function organizationRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  return [
    route({
      method: 'get',
      path: '/api/0/organizations/',
      scope: 'org:read',
      summary: "The organizations the token's user is a member of",
      query: z.object(pageParams),
      handler: async ({ ctx, caller, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listMemberOrganizations(knex, caller.user.id, window),
        );
        return rows.map((row) => serializeOrganization(row, publicUrl));
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/',
      scope: 'org:read',
      summary: 'One organization, by slug or id',
      handler: async ({ caller, params }) =>
        serializeOrganization(
          await findMemberOrganization(knex, caller.user.id, params.organization),
          publicUrl,
        ),
    }),
  ];
}
