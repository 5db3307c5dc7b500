import { z } from 'zod';
import { AUDIT_EVENTS, listAuditLog } from '../../audit';
import { assertMayRequireTwoFactor } from '../../auth';
import {
  createOrganization,
  deleteOrganization,
  findCallerOrganization,
  slugify,
  updateOrganization,
} from '../../organizations';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { sentryAuditEntrySchema, serializeAuditEntry } from '../serializers/access';
import {
  sentryOrganizationDetailsSchema,
  sentryOrganizationSchema,
  serializeOrganization,
} from '../serializers/organization';
import { slugSchema } from '../slugs';
import { single } from '../validation';

const organizationCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(64),
  slug: slugSchema.optional(),
});

const organizationUpdateBody = z.strictObject({
  name: z.string().trim().min(1).max(64).optional(),
  slug: slugSchema.optional(),
  require2FA: z.boolean().optional(),
});

/** Sentry's audit log page: the entries, and every event name one can filter by. */
const auditLogAnswer = z
  .strictObject({ rows: z.array(sentryAuditEntrySchema), options: z.array(z.enum(AUDIT_EVENTS)) })
  .meta({ id: 'AuditLog' });

export function organizationRoutes({ knex, config, auth }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  return [
    route({
      method: 'get',
      path: '/api/0/organizations/',
      scope: 'org:read',
      resource: 'none',
      summary: "The organizations the token's user is a member of (or a service token's own)",
      query: z.object(pageParams),
      response: z.array(sentryOrganizationSchema),
      handler: async ({ ctx, target, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), async (window) =>
          target.accesses.slice(window.offset, window.offset + window.limit),
        );
        return rows.map((row) => serializeOrganization(row.organization, publicUrl));
      },
    }),
    route({
      method: 'post',
      path: '/api/0/organizations/',
      scope: 'org:write',
      resource: 'user',
      summary: 'Creates an organization, with the caller as its owner',
      body: organizationCreateBody,
      status: 201,
      response: sentryOrganizationSchema,
      errors: [409],
      handler: async ({ ctx, caller, target: { user }, body }) => {
        const slug = body.slug ?? slugify(body.name);
        await createOrganization(knex, {
          slug,
          name: body.name,
          ownerUserId: user.id,
          actor: auditActor(ctx, caller),
        });
        return serializeOrganization(
          (await findCallerOrganization(knex, caller, slug)).organization,
          publicUrl,
        );
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/',
      scope: 'org:read',
      resource: 'organization',
      summary: 'One organization, by slug or id',
      response: sentryOrganizationDetailsSchema,
      handler: async ({ target }) => ({
        ...serializeOrganization(target.access.organization, publicUrl),
        // Sentry lists what the caller may do here, and the caller's role.
        access: target.access.scopes,
        orgRole: target.access.role,
      }),
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/',
      scope: 'org:write',
      resource: 'organization',
      summary: "Changes an organization's name, slug or whether members need 2FA",
      body: organizationUpdateBody,
      response: sentryOrganizationSchema,
      errors: [409],
      handler: async ({ ctx, caller, target: { access }, body }) => {
        if (body.require2FA === true && !access.organization.require_2fa)
          await assertMayRequireTwoFactor(auth, caller.user);
        await updateOrganization(knex, { access, change: body, actor: auditActor(ctx, caller) });
        const updated = await findCallerOrganization(knex, caller, String(access.organization.id));
        return serializeOrganization(updated.organization, publicUrl);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/',
      scope: 'org:admin',
      resource: 'organization',
      summary: 'Deletes an organization with everything in it (its audit log too)',
      response: null,
      handler: async ({ target: { access } }) => {
        await deleteOrganization(knex, access.organization.id);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/audit-logs/',
      scope: 'org:write',
      resource: 'organization',
      summary: "The organization's audit log, newest first",
      query: z.object({ ...pageParams, event: single(z.enum(AUDIT_EVENTS).optional()) }),
      response: auditLogAnswer,
      handler: async ({ ctx, target: { access }, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listAuditLog(knex, access.organization.id, { ...window, event: query.event }),
        );
        return { rows: rows.map(serializeAuditEntry), options: [...AUDIT_EVENTS] };
      },
    }),
  ];
}
