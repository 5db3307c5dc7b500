import { z } from 'zod';
import {
  createTeam,
  deleteTeam,
  listTeams,
  slugify,
  teamMemberCounts,
  updateTeam,
  type TeamRow,
} from '../../organizations';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { sentryTeamSchema, serializeTeam } from '../serializers/access';
import { slugSchema } from '../slugs';
import type { Knex } from 'knex';

const teamBody = z.strictObject({
  name: z.string().trim().min(1).max(64).optional(),
  slug: slugSchema.optional(),
});

async function serializeTeams(knex: Knex, teams: TeamRow[], userId: number | undefined) {
  const counts = await teamMemberCounts(
    knex,
    teams.map((t) => t.id),
    userId,
  );
  return teams.map((team) => {
    const count = counts(team.id);
    return serializeTeam(team, count.members, count.isMember);
  });
}

export function teamRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/teams/',
      scope: 'team:read',
      resource: 'organization',
      summary: "An organization's teams",
      query: z.object(pageParams),
      response: z.array(sentryTeamSchema),
      handler: async ({ ctx, caller, target: { access }, query }) => {
        const rows: TeamRow[] = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listTeams(knex, access.organization.id, window),
        );
        return serializeTeams(knex, rows, caller.user?.id);
      },
    }),
    route({
      method: 'post',
      path: '/api/0/organizations/:organization/teams/',
      scope: 'team:write',
      resource: 'organization',
      summary: 'Creates a team',
      body: teamBody.refine((b) => b.name !== undefined || b.slug !== undefined, {
        message: 'send a name or a slug',
      }),
      status: 201,
      response: sentryTeamSchema,
      errors: [409],
      handler: async ({ ctx, caller, target: { access }, body }) => {
        const slug = body.slug ?? slugify(body.name ?? '');
        const name = body.name ?? slug;
        const team = await createTeam(knex, { access, slug, name, actor: auditActor(ctx, caller) });
        return (await serializeTeams(knex, [team], caller.user?.id))[0];
      },
    }),
    route({
      method: 'get',
      path: '/api/0/teams/:organization/:team/',
      scope: 'team:read',
      resource: 'team',
      summary: 'One team',
      response: sentryTeamSchema,
      handler: async ({ caller, target: { team } }) =>
        (await serializeTeams(knex, [team], caller.user?.id))[0],
    }),
    route({
      method: 'put',
      path: '/api/0/teams/:organization/:team/',
      scope: 'team:write',
      resource: 'team',
      summary: "Changes a team's name or slug",
      body: teamBody,
      response: sentryTeamSchema,
      errors: [409],
      handler: async ({ ctx, caller, target: { access, team }, body }) => {
        const updated = await updateTeam(knex, { access, team, patch: body, actor: auditActor(ctx, caller) });
        return (await serializeTeams(knex, [updated], caller.user?.id))[0];
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/teams/:organization/:team/',
      scope: 'team:admin',
      resource: 'team',
      summary: 'Deletes a team (its projects stay)',
      response: null,
      handler: async ({ ctx, caller, target: { access, team } }) => {
        await deleteTeam(knex, { access, team, actor: auditActor(ctx, caller) });
        return undefined;
      },
    }),
  ];
}
