import { z } from 'zod';
import {
  addProjectTeam,
  createProject,
  deleteProject,
  listVisibleProjects,
  removeProjectTeam,
  slugify,
  updateProject,
} from '../../organizations';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { sentryProjectSchema, serializeProject } from '../serializers/project';
import { slugSchema } from '../slugs';

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

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/projects/',
      scope: 'project:read',
      resource: 'organization',
      summary: "An organization's projects (for members, those of their teams)",
      query: z.object(pageParams),
      response: z.array(sentryProjectSchema),
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
      response: z.array(sentryProjectSchema),
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
      response: sentryProjectSchema,
      handler: async ({ target }) => serializeProject(target.project),
    }),
    route({
      method: 'get',
      path: '/api/0/teams/:organization/:team/projects/',
      scope: 'project:read',
      resource: 'team',
      summary: 'The projects a team holds (of those the caller may see)',
      query: z.object(pageParams),
      response: z.array(sentryProjectSchema),
      handler: async ({ ctx, target: { access, team }, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listVisibleProjects(knex, [access], window, team.id),
        );
        return rows.map(serializeProject);
      },
    }),
    route({
      method: 'post',
      path: '/api/0/teams/:organization/:team/projects/',
      scope: 'project:write',
      resource: 'team',
      summary: 'Creates a project owned by the team',
      body: projectCreateBody,
      status: 201,
      response: sentryProjectSchema,
      errors: [409],
      handler: async ({ ctx, caller, target: { access, team }, body }) => {
        const project = await createProject(knex, {
          access,
          team,
          project: {
            slug: body.slug ?? slugify(body.name),
            name: body.name,
            platform: body.platform ?? null,
          },
          actor: auditActor(ctx, caller),
        });
        return serializeProject(project);
      },
    }),
    route({
      method: 'put',
      path: '/api/0/projects/:organization/:project/',
      scope: 'project:write',
      resource: 'project',
      summary: "Changes a project's name, slug or platform",
      body: projectUpdateBody,
      response: sentryProjectSchema,
      errors: [409],
      handler: async ({ ctx, caller, target: { access, project }, body }) => {
        const updated = await updateProject(knex, {
          access,
          project,
          patch: body,
          actor: auditActor(ctx, caller),
        });
        return serializeProject(updated);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/projects/:organization/:project/',
      scope: 'project:admin',
      resource: 'project',
      summary: 'Deletes a project with its issues, events and keys',
      response: null,
      handler: async ({ ctx, caller, target: { access, project } }) => {
        await deleteProject(knex, { access, project, actor: auditActor(ctx, caller) });
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
      response: sentryProjectSchema,
      errors: [409],
      handler: async ({ ctx, caller, target: { access, project, team } }) => {
        await addProjectTeam(knex, { access, project, team, actor: auditActor(ctx, caller) });
        return serializeProject(project);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/projects/:organization/:project/teams/:team/',
      scope: 'project:write',
      resource: 'projectTeam',
      summary: "Takes a team's access to the project away",
      response: sentryProjectSchema,
      handler: async ({ ctx, caller, target: { access, project, team } }) => {
        await removeProjectTeam(knex, { access, project, team, actor: auditActor(ctx, caller) });
        return serializeProject(project);
      },
    }),
  ];
}
