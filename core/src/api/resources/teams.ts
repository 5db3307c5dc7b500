import { z } from 'zod';
import { recordAudit } from '../../audit';
import { findTeam, type OrganizationAccess, type TeamRow } from '../access';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { serializeTeam } from '../serializers/access';
import { slugify, slugSchema, unlessTaken } from '../slugs';
import type { Knex } from 'knex';

const teamBody = z.strictObject({
  name: z.string().trim().min(1).max(64).optional(),
  slug: slugSchema.optional(),
});

async function serializeTeams(knex: Knex, teams: TeamRow[], userId: number | undefined) {
  const counts: { team_id: number; n: string | number; mine: string | number }[] = await knex('team_members')
    .whereIn(
      'team_id',
      teams.map((t) => t.id),
    )
    .groupBy('team_id')
    .select(
      'team_id',
      knex.raw('count(*) as n'),
      knex.raw('count(*) filter (where user_id = ?) as mine', [userId ?? -1]),
    );
  const byTeam = new Map(counts.map((c) => [c.team_id, c]));
  return teams.map((team) => {
    const count = byTeam.get(team.id);
    return serializeTeam(team, Number(count?.n ?? 0), Number(count?.mine ?? 0) > 0);
  });
}

export function teamRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;

  async function one(access: OrganizationAccess, slug: string, userId: number | undefined) {
    const [team] = await serializeTeams(knex, [await findTeam(knex, access, slug)], userId);
    return team;
  }

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/teams/',
      scope: 'team:read',
      resource: 'organization',
      summary: "An organization's teams",
      query: z.object(pageParams),
      handler: async ({ ctx, caller, target: { access }, query }) => {
        const rows: TeamRow[] = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          knex('teams')
            .where('organization_id', access.organization.id)
            .orderBy([{ column: 'slug' }, { column: 'id' }])
            .limit(window.limit)
            .offset(window.offset),
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
      handler: async ({ ctx, caller, target: { access }, body }) => {
        const slug = body.slug ?? slugify(body.name ?? '');
        const name = body.name ?? slug;
        await knex.transaction(async (trx) => {
          const [row] = await unlessTaken(`Team ${slug}`, () =>
            trx('teams').insert({ organization_id: access.organization.id, slug, name }).returning('id'),
          );
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'team.create',
            target: { type: 'team', id: row.id },
            data: { slug },
          });
        });
        return one(access, slug, caller.user?.id);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/teams/:organization/:team/',
      scope: 'team:read',
      resource: 'team',
      summary: 'One team',
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
      handler: async ({ ctx, caller, target: { access, team }, body }) => {
        const patch = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
        await knex.transaction(async (trx) => {
          if (Object.keys(patch).length > 0)
            await unlessTaken(`Team ${body.slug}`, () => trx('teams').where({ id: team.id }).update(patch));
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'team.edit',
            target: { type: 'team', id: team.id },
            data: patch,
          });
        });
        return one(access, String(team.id), caller.user?.id);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/teams/:organization/:team/',
      scope: 'team:admin',
      resource: 'team',
      summary: 'Deletes a team (its projects stay)',
      handler: async ({ ctx, caller, target: { access, team } }) => {
        await knex.transaction(async (trx) => {
          await trx('teams').where({ id: team.id }).delete();
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'team.remove',
            target: { type: 'team', id: team.id },
            data: { slug: team.slug },
          });
        });
        return undefined;
      },
    }),
  ];
}
