import type { Context } from 'koa';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { ProjectKey } from '../../accounts';
import { recordAudit, type AuditEvent } from '../../audit';
import { newProjectKeyParts } from '../../accounts';
import type { OrganizationAccess } from '../../organizations';
import { listProjectKeys } from '../access';
import { auditActor } from '../audit-actor';
import type { ApiCaller } from '../auth';
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

function rateLimitColumns(limit: z.output<typeof rateLimit> | undefined): Record<string, number | null> {
  if (limit === undefined) return {};
  return { rate_limit_count: limit?.count ?? null, rate_limit_window: limit?.window ?? null };
}

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

  async function audited(
    ctx: Context,
    caller: ApiCaller,
    access: OrganizationAccess,
    event: AuditEvent,
    key: { id: number; public_key: string },
    data: Record<string, unknown>,
    work: (trx: Knex.Transaction) => Promise<ProjectKey | undefined>,
  ): Promise<ProjectKey | undefined> {
    return knex.transaction(async (trx) => {
      const result = await work(trx);
      // The public key identifies the key; the secret never goes into the log.
      await recordAudit(trx, {
        organizationId: access.organization.id,
        actor: auditActor(ctx, caller),
        event,
        target: { type: 'projectkey', id: key.id },
        data: { publicKey: key.public_key, ...data },
      });
      return result;
    });
  }

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
        const parts = newProjectKeyParts();
        const created = await knex.transaction(async (trx) => {
          const [key] = await trx<ProjectKey>('project_keys')
            .insert({
              project_id: project.id,
              label: body.name ?? 'Default',
              ...parts.columns,
              ...rateLimitColumns(body.rateLimit),
            })
            .returning('*');
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'projectkey.create',
            target: { type: 'projectkey', id: key.id },
            data: { publicKey: key.public_key, label: key.label },
          });
          return key;
        });
        // A lookup of the new key moments ago may be cached as "unknown".
        changed(created);
        return serializeProjectKey(created, publicUrl, parts.secret);
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
        const patch = {
          ...(body.name === undefined ? {} : { label: body.name }),
          ...(body.isActive === undefined ? {} : { is_active: body.isActive }),
          ...rateLimitColumns(body.rateLimit),
        };
        const updated = await audited(
          ctx,
          caller,
          access,
          'projectkey.edit',
          projectKey,
          body,
          async (trx) => {
            if (Object.keys(patch).length === 0) return projectKey;
            const [row] = await trx<ProjectKey>('project_keys')
              .where({ id: projectKey.id })
              .update(patch)
              .returning('*');
            return row;
          },
        );
        changed(projectKey);
        return serializeProjectKey(updated ?? projectKey, publicUrl);
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
        const parts = newProjectKeyParts();
        const rotated = await audited(
          ctx,
          caller,
          access,
          'projectkey.rotate',
          projectKey,
          {},
          async (trx) => {
            await trx('project_keys').where({ id: projectKey.id }).update({ is_active: false });
            const [row] = await trx<ProjectKey>('project_keys')
              .insert({
                project_id: projectKey.project_id,
                label: projectKey.label,
                ...parts.columns,
                rate_limit_count: projectKey.rate_limit_count,
                rate_limit_window: projectKey.rate_limit_window,
              })
              .returning('*');
            return row;
          },
        );
        changed(projectKey, ...(rotated ? [rotated] : []));
        return rotated
          ? serializeProjectKey(rotated, publicUrl, parts.secret)
          : serializeProjectKey(projectKey, publicUrl);
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
        await audited(ctx, caller, access, 'projectkey.remove', projectKey, {}, async (trx) => {
          await trx('project_keys').where({ id: projectKey.id }).delete();
          return undefined;
        });
        changed(projectKey);
        return undefined;
      },
    }),
  ];
}
