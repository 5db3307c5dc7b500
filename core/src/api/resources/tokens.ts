import { z } from 'zod';
import { CLIENTS } from '@faultline/plugin-sdk';
import { ALL_SCOPES } from '../../access';
import {
  ORGANIZATION_TOKEN_CLIENTS,
  USER_TOKEN_CLIENTS,
  findToken,
  issueOrganizationToken,
  issueUserToken,
  revokeOrganizationToken,
  revokeUserClientTokens,
  revokeUserToken,
  tokensOf,
  type TokenOwner,
  type TokenRow,
} from '../../tokens';
import { refuseActingFor } from '../act-as';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { sentryNewTokenSchema, sentryTokenSchema, serializeToken } from '../serializers/access';
import { single } from '../validation';

const scopesField = z.array(z.enum(ALL_SCOPES)).min(1);

const userTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  scopes: scopesField,
  client: z.enum(USER_TOKEN_CLIENTS).optional(),
});

const organizationTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  scopes: scopesField,
  client: z.enum(ORGANIZATION_TOKEN_CLIENTS).optional(),
});

/**
 * Sentry revokes one of your tokens with `DELETE /api-tokens/` and `{"tokenId": …}`; Faultline also
 * takes `{"client": "vscode"}`, revoking every token you issued to that client and no other.
 */
const revokeBody = z
  .strictObject({
    tokenId: z.union([z.string(), z.number().int()]).optional(),
    client: z.enum(CLIENTS).optional(),
  })
  .refine((body) => (body.tokenId === undefined) !== (body.client === undefined), {
    message: 'name either tokenId (one token) or client (all your tokens of that client)',
  });

const listQuery = z.object({ ...pageParams, client: single(z.enum(CLIENTS).optional()) });

/**
 * User API tokens (`/api-tokens/`, acting for the user in every organization, narrowed there by
 * the user's role) and organization tokens (`/org-auth-tokens/`, bound to one organization, no
 * user). Each is issued to a client; the rules live in `tokens/`. A token is shown once, when
 * created; lists show its last characters, client, scopes and last use.
 */
export function tokenRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  const fresh = (made: { row: TokenRow; secret: string }) => ({
    ...serializeToken(made.row),
    token: made.secret,
  });
  const listTokens = async (
    ctx: Parameters<typeof paginate>[0],
    query: z.output<typeof listQuery>,
    owner: TokenOwner,
  ) => {
    const rows: TokenRow[] = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
      tokensOf(knex, owner, query.client).limit(window.limit).offset(window.offset),
    );
    return rows.map(serializeToken);
  };

  return [
    route({
      method: 'get',
      path: '/api/0/api-tokens/',
      scope: 'org:read',
      resource: 'user',
      summary: "The caller's API tokens with their client, scopes and last use (never the tokens themselves)",
      query: listQuery,
      response: z.array(sentryTokenSchema),
      handler: async ({ ctx, target: { user }, query }) => listTokens(ctx, query, { userId: user.id }),
    }),
    route({
      method: 'post',
      path: '/api/0/api-tokens/',
      scope: 'org:read',
      resource: 'user',
      summary:
        'Creates an API token for a client (`api` by default, or `vscode`) with scopes up to the calling credential’s; the token is shown only in this answer',
      body: userTokenBody,
      status: 201,
      response: sentryNewTokenSchema,
      handler: async ({ ctx, caller, target: { user }, body }) =>
        fresh(
          await issueUserToken(knex, {
            userId: user.id,
            client: body.client ?? 'api',
            name: body.name ?? 'API token',
            scopes: body.scopes,
            heldScopes: caller.scopes,
            actor: auditActor(ctx, caller),
          }),
        ),
    }),
    route({
      method: 'delete',
      path: '/api/0/api-tokens/',
      scope: 'org:read',
      resource: 'user',
      summary:
        'Revokes one of the caller’s tokens (`{"tokenId"}`, as Sentry) or all those issued to one client (`{"client"}`), leaving the others',
      body: revokeBody,
      response: null,
      handler: async ({ ctx, caller, target: { user }, body }) => {
        const actor = auditActor(ctx, caller);
        if (body.client !== undefined) {
          await revokeUserClientTokens(knex, { userId: user.id, client: body.client, actor });
          return undefined;
        }
        const token = await findToken(knex, { userId: user.id }, String(body.tokenId));
        await revokeUserToken(knex, { userId: user.id, token, actor });
        return undefined;
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/api-tokens/:tokenId/',
      scope: 'org:read',
      resource: 'user',
      summary: 'Revokes one of the caller’s API tokens',
      response: null,
      handler: async ({ ctx, caller, params, target: { user } }) => {
        const token = await findToken(knex, { userId: user.id }, params.tokenId);
        await revokeUserToken(knex, { userId: user.id, token, actor: auditActor(ctx, caller) });
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/org-auth-tokens/',
      scope: 'org:write',
      resource: 'organization',
      summary:
        "The organization's tokens with their client, scopes and last use (never the tokens themselves)",
      query: listQuery,
      response: z.array(sentryTokenSchema),
      handler: async ({ ctx, target: { access }, query }) =>
        listTokens(ctx, query, { organizationId: access.organization.id }),
    }),
    route({
      method: 'post',
      path: '/api/0/organizations/:organization/org-auth-tokens/',
      scope: 'org:write',
      resource: 'organization',
      summary:
        'Creates a token bound to this organization for CI (`api`) or an integration (`slack`, `github`); shown only in this answer',
      body: organizationTokenBody,
      status: 201,
      response: sentryNewTokenSchema,
      handler: async ({ ctx, caller, target: { access }, body }) => {
        refuseActingFor(caller, 'create organization tokens');
        return fresh(
          await issueOrganizationToken(knex, {
            organizationId: access.organization.id,
            embed: { url: config.http.publicUrl, organizationSlug: access.organization.slug },
            // A member's role is null only for an organization token, which acts for nobody.
            issuer:
              access.role === null || !caller.user ? null : { userId: caller.user.id, role: access.role },
            client: body.client ?? 'api',
            name: body.name ?? 'Organization token',
            scopes: body.scopes,
            heldScopes: access.scopes,
            actor: auditActor(ctx, caller),
          }),
        );
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/org-auth-tokens/:tokenId/',
      scope: 'org:write',
      resource: 'token',
      summary: 'Revokes an organization token',
      response: null,
      handler: async ({ ctx, caller, target: { access, token } }) => {
        refuseActingFor(caller, 'revoke organization tokens');
        await revokeOrganizationToken(knex, {
          organizationId: access.organization.id,
          token,
          actor: auditActor(ctx, caller),
        });
        return undefined;
      },
    }),
  ];
}
