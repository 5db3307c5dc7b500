import { z } from 'zod';
import { recordAudit } from '../../audit';
import { findProjectById, listVisibleProjects, type ProjectRow } from '../access';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { serializeProject } from '../serializers/project';
import { slugify, unlessTaken } from '../../organizations';
import { slugSchema } from '../slugs';
import { NotFoundError } from '../../errors';
import { AccountsRepository } from '../../accounts';

const projectCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  slug: slugSchema.optional(),
  platform: z.string().max(64).nullable().optional(),
});

const projectUpdateBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  slug: slugSchema.optional(),
  platform: z.string().max(64).nullable().optional(),
});

export function projectRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;

  async function reload(id: number): Promise<ProjectRow> {
    const row = await findProjectById(knex, id);
    if (!row) throw new NotFoundError(`Project ${id} not found`, 'project_not_found');
    return row;
  }

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/projects/',
      scope: 'project:read',
      resource: 'organization',
      summary: "An organization's projects (for members, those of their teams)",
      query: z.object(pageParams),
      handler: async ({ ctx, target: { access }, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listVisibleProjects(knex, [access], window),
        );
        return rows.map(serializeProject);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/',
      scope: 'project:read',
      resource: 'none',
      summary: 'Every project the caller may see, in every organization it reaches',
      query: z.object(pageParams),
      handler: async ({ ctx, target, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listVisibleProjects(knex, target.accesses, window),
        );
        return rows.map(serializeProject);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/',
      scope: 'project:read',
      resource: 'project',
      summary: 'One project',
      handler: async ({ target }) => serializeProject(target.project),
    }),
    route({
      method: 'post',
      path: '/api/0/teams/:organization/:team/projects/',
      scope: 'project:write',
      resource: 'team',
      summary: 'Creates a project owned by the team',
      body: projectCreateBody,
      status: 201,
      handler: async ({ ctx, caller, target: { access, team }, body }) => {
        const slug = body.slug ?? slugify(body.name);
        const id = await knex.transaction(async (trx) => {
          const [row] = await unlessTaken(`Project ${slug}`, () =>
            trx('projects')
              .insert({
                organization_id: access.organization.id,
                slug,
                name: body.name,
                platform: body.platform ?? null,
              })
              .returning('id'),
          );
          await trx('project_teams').insert({ project_id: row.id, team_id: team.id });
          // Like Sentry, a new project comes with a "Default" client key, so its DSN is ready to use.
          await new AccountsRepository(trx).ensureProjectKey(row.id);
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'project.create',
            target: { type: 'project', id: row.id },
            data: { slug, team: team.slug },
          });
          return row.id as number;
        });
        return serializeProject(await reload(id));
      },
    }),
    route({
      method: 'put',
      path: '/api/0/projects/:organization/:project/',
      scope: 'project:write',
      resource: 'project',
      summary: "Changes a project's name, slug or platform",
      body: projectUpdateBody,
      handler: async ({ ctx, caller, target: { access, project }, body }) => {
        await knex.transaction(async (trx) => {
          const patch = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
          if (Object.keys(patch).length > 0)
            await unlessTaken(`Project ${body.slug}`, () =>
              trx('projects').where({ id: project.id }).update(patch),
            );
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'project.edit',
            target: { type: 'project', id: project.id },
            data: patch,
          });
        });
        return serializeProject(await reload(project.id));
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/projects/:organization/:project/',
      scope: 'project:admin',
      resource: 'project',
      summary: 'Deletes a project with its issues, events and keys',
      handler: async ({ ctx, caller, target: { access, project } }) => {
        await knex.transaction(async (trx) => {
          await trx('projects').where({ id: project.id }).delete();
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'project.remove',
            target: { type: 'project', id: project.id },
            data: { slug: project.slug },
          });
        });
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/api/0/projects/:organization/:project/teams/:team/',
      scope: 'project:write',
      resource: 'projectTeam',
      summary: 'Gives a team access to the project',
      status: 201,
      handler: async ({ ctx, caller, target: { access, project, team } }) => {
        await knex.transaction(async (trx) => {
          await trx('project_teams')
            .insert({ project_id: project.id, team_id: team.id })
            .onConflict(['project_id', 'team_id'])
            .ignore();
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'project.add-team',
            target: { type: 'project', id: project.id },
            data: { team: team.slug },
          });
        });
        return serializeProject(project);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/projects/:organization/:project/teams/:team/',
      scope: 'project:write',
      resource: 'projectTeam',
      summary: "Takes a team's access to the project away",
      handler: async ({ ctx, caller, target: { access, project, team } }) => {
        await knex.transaction(async (trx) => {
          await trx('project_teams').where({ project_id: project.id, team_id: team.id }).delete();
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'project.remove-team',
            target: { type: 'project', id: project.id },
            data: { team: team.slug },
          });
        });
        return serializeProject(project);
      },
    }),
  ];
}
