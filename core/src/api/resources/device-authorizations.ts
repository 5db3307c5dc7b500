import { z } from 'zod';
import { ALL_SCOPES } from '../../access';
import { DeviceAuthService, type PendingApproval } from '../../device-auth';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { single } from '../validation';

/** The code the device shows, as typed: `device-auth/` normalizes it (case, dashes) and says when it is malformed. */
const userCode = z.string().trim().min(1).max(100);

const pendingApprovalSchema = z
  .strictObject({
    userCode: z.string(),
    client: z.strictObject({ id: z.string(), name: z.string() }),
    requestedScopes: z.array(z.string()),
    grantableScopes: z.array(z.enum(ALL_SCOPES)),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'DeviceAuthorization' });

function serializePending(pending: PendingApproval): z.infer<typeof pendingApprovalSchema> {
  return {
    userCode: pending.userCode,
    client: { id: pending.client.id, name: pending.client.name },
    requestedScopes: pending.requestedScopes,
    grantableScopes: pending.grantableScopes,
    expiresAt: pending.expiresAt.toISOString(),
  };
}

/**
 * A device sign-in waiting for its person (RFC 8628 §3.3), as the web UI's approval page at
 * `/auth/device` shows and answers it. Only a signed-in session may: a token answering would let a
 * narrow token mint a broader one (approving grants the person's own scopes). Typed codes are
 * rate-limited per address and per person by `device-auth/`, as on any page.
 */
export function deviceAuthorizationRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const devices = new DeviceAuthService(knex, config.http.publicUrl);
  return [
    route({
      method: 'get',
      path: '/api/0/device-authorizations/',
      scope: null,
      resource: 'session',
      summary: 'The device sign-in waiting for a user code: which client asks, and what approving gives',
      query: z.object({ userCode: single(userCode) }),
      response: pendingApprovalSchema,
      errors: [429],
      handler: async ({ ctx, target: { user }, query }) =>
        serializePending(await devices.describe(query.userCode, user, ctx.ip)),
    }),
    route({
      method: 'post',
      path: '/api/0/device-authorizations/',
      scope: null,
      resource: 'session',
      summary:
        'Approves or denies a device sign-in; the device gets its token (the grantable scopes) when it next polls',
      body: z.strictObject({ userCode, decision: z.enum(['approve', 'deny']) }),
      response: pendingApprovalSchema,
      errors: [409, 429],
      handler: async ({ ctx, target: { user }, body }) =>
        serializePending(await devices.decide(body.userCode, user, body.decision === 'approve', ctx.ip)),
    }),
  ];
}
