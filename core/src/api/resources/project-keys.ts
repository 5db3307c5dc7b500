import { z } from 'zod';
import {
  createProjectKey,
  deleteProjectKey,
  listProjectKeys,
  rotateProjectKey,
  updateProjectKey,
} from '../../organizations';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { sentryProjectKeySchema, serializeProjectKey } from '../serializers/project-key';
import { single } from '../validation';

const rateLimit = z
  .strictObject({
    count: z.number().int().min(1),
    window: z.number().int().min(1).max(86_400),
  })
  .nullable();

const keyCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(64).optional(),
  rateLimit: rateLimit.optional(),
});

const keyUpdateBody = z.strictObject({
  name: z.string().trim().min(1).max(64).optional(),
  isActive: z.boolean().optional(),
  rateLimit: rateLimit.optional(),
});

/**
 * A project's client keys (DSNs): list, create, change, rotate and delete. Ingestion caches keys
 * for up to 30 seconds; this process's cache forgets a changed key at once (`onProjectKeyChanged`),
 * other processes within that time.
 */
export function projectKeyRoutes({ knex, config, onProjectKeyChanged }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  const changed = (...keys: { public_key: string }[]) => {
    for (const key of keys) onProjectKeyChanged?.(key.public_key);
  };

  return [
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/keys/',
      scope: 'project:read',
      resource: 'project',
      summary: "A project's client keys (DSNs)",
      query: z.object({ ...pageParams, status: single(z.enum(['active', 'inactive']).optional()) }),
      response: z.array(sentryProjectKeySchema),
      handler: async ({ ctx, target: { project }, query }) => {
        const active = query.status === undefined ? undefined : query.status === 'active';
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listProjectKeys(knex, project.id, active, window),
        );
        return rows.map((key) => serializeProjectKey(key, publicUrl));
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/keys/:keyId/',
      scope: 'project:read',
      resource: 'projectKey',
      summary: 'One client key',
      response: sentryProjectKeySchema,
      handler: async ({ target }) => serializeProjectKey(target.projectKey, publicUrl),
    }),
    route({
      method: 'post',
      path: '/api/0/projects/:organization/:project/keys/',
      scope: 'project:write',
      resource: 'project',
      summary: 'Creates a client key (DSN)',
      body: keyCreateBody,
      status: 201,
      response: sentryProjectKeySchema,
      handler: async ({ ctx, caller, target: { access, project }, body }) => {
        // Only the secret's hash is stored; the secret is shown in this answer and never again.
        const created = await createProjectKey(knex, {
          access,
          project,
          name: body.name,
          rateLimit: body.rateLimit,
          actor: auditActor(ctx, caller),
        });
        // A lookup of the new key moments ago may be cached as "unknown".
        changed(created.key);
        return serializeProjectKey(created.key, publicUrl, created.secret);
      },
    }),
    route({
      method: 'put',
      path: '/api/0/projects/:organization/:project/keys/:keyId/',
      scope: 'project:write',
      resource: 'projectKey',
      summary: "Changes a client key's name, whether it is active, or its rate limit",
      body: keyUpdateBody,
      response: sentryProjectKeySchema,
      handler: async ({ ctx, caller, target: { access, projectKey }, body }) => {
        const updated = await updateProjectKey(knex, {
          access,
          key: projectKey,
          change: body,
          actor: auditActor(ctx, caller),
        });
        changed(projectKey);
        return serializeProjectKey(updated, publicUrl);
      },
    }),
    route({
      method: 'post',
      path: '/api/0/projects/:organization/:project/keys/:keyId/rotate/',
      scope: 'project:write',
      resource: 'projectKey',
      summary: 'Replaces a client key: a new key with the same name and rate limit; the old one is disabled',
      status: 201,
      response: sentryProjectKeySchema,
      handler: async ({ ctx, caller, target: { access, projectKey } }) => {
        // The new key's secret is shown in this answer only, like at creation.
        const rotated = await rotateProjectKey(knex, {
          access,
          key: projectKey,
          actor: auditActor(ctx, caller),
        });
        changed(projectKey, rotated.key);
        return serializeProjectKey(rotated.key, publicUrl, rotated.secret);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/projects/:organization/:project/keys/:keyId/',
      scope: 'project:write',
      resource: 'projectKey',
      summary: 'Deletes a client key; SDKs using it are refused from then on',
      response: null,
      handler: async ({ ctx, caller, target: { access, projectKey } }) => {
        await deleteProjectKey(knex, { access, key: projectKey, actor: auditActor(ctx, caller) });
        changed(projectKey);
        return undefined;
      },
    }),
  ];
}
