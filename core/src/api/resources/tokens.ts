import type { Knex } from 'knex';
import { z } from 'zod';
import { ALL_SCOPES, grantsScope, type Scope } from '../../access';
import { AccountsRepository } from '../../accounts';
import { recordAudit } from '../../audit';
import { ForbiddenError } from '../../errors';
import { TOKEN_COLUMNS, findToken, type TokenRow } from '../access';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { serializeToken } from '../serializers/access';

const tokenCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  scopes: z.array(z.enum(ALL_SCOPES)).min(1),
});

/** A new token may not carry more than the caller holds: no escalation through minting tokens. */
function requireWithin(held: readonly string[], wanted: Scope[], holder: string): void {
  const excess = wanted.filter((scope) => !grantsScope(held, scope));
  if (excess.length > 0)
    throw new ForbiddenError(`${holder} can't grant ${excess.join(', ')}`, 'scope_not_allowed');
}

/**
 * User API tokens (`/api-tokens/`, acting for the user in every organization, narrowed there by
 * the user's role) and organization service tokens (`/org-auth-tokens/`, bound to one organization,
 * no user). Both are shown once, when created; lists show only the last characters.
 */
/**
 * A user token reaches every organization its owner belongs to, so its creation and revocation are
 * recorded in each of their audit logs.
 */
async function recordInUserOrganizations(
  trx: Knex.Transaction,
  userId: number,
  entry: Omit<Parameters<typeof recordAudit>[1], 'organizationId'>,
): Promise<void> {
  const memberships: { organization_id: number }[] = await trx('organization_members')
    .where('user_id', userId)
    .select('organization_id');
  for (const { organization_id } of memberships) {
    await recordAudit(trx, { ...entry, organizationId: organization_id });
  }
}

export function tokenRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  const fresh = (token: TokenRow, secret: string) => ({ ...serializeToken(token), token: secret });
  /** One page of a user's or an organization's tokens, never the tokens themselves. */
  const listTokens = async (
    ctx: Parameters<typeof paginate>[0],
    page: ReturnType<typeof pageRequest>,
    owner: { user_id: number } | { organization_id: number },
  ) => {
    const rows: TokenRow[] = await paginate(ctx, publicUrl, page, (window) =>
      knex('api_tokens')
        .where(owner)
        .orderBy('id')
        .limit(window.limit)
        .offset(window.offset)
        .select(TOKEN_COLUMNS),
    );
    return rows.map(serializeToken);
  };

  return [
    route({
      method: 'get',
      path: '/api/0/api-tokens/',
      scope: 'org:read',
      resource: 'user',
      summary: "The caller's API tokens (never the tokens themselves)",
      query: z.object(pageParams),
      handler: async ({ ctx, target: { user }, query }) => {
        return listTokens(ctx, pageRequest(query), { user_id: user.id });
      },
    }),
    route({
      method: 'post',
      path: '/api/0/api-tokens/',
      scope: 'org:read',
      resource: 'user',
      summary:
        'Creates an API token with scopes up to the calling token’s; the token is shown only in this answer',
      body: tokenCreateBody,
      status: 201,
      handler: async ({ ctx, caller, target: { user }, body }) => {
        requireWithin(caller.scopes, body.scopes, 'This token');
        const secret = await knex.transaction(async (trx) => {
          const made = await new AccountsRepository(trx).createToken(
            user.id,
            body.name ?? 'API token',
            body.scopes,
          );
          const row: { id: number } = await trx('api_tokens')
            .where('user_id', user.id)
            .orderBy('id', 'desc')
            .first('id');
          await recordInUserOrganizations(trx, user.id, {
            actor: auditActor(ctx, caller),
            event: 'apitoken.create',
            target: { type: 'apitoken', id: row.id },
            data: { name: body.name ?? 'API token', scopes: body.scopes, kind: 'user' },
          });
          return made;
        });
        const row = await findLatestToken({ user_id: user.id });
        return fresh(row, secret);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/api-tokens/:tokenId/',
      scope: 'org:read',
      resource: 'user',
      summary: 'Revokes one of the caller’s API tokens',
      handler: async ({ ctx, caller, params, target: { user } }) => {
        const token = await findToken(knex, { userId: user.id }, params.tokenId);
        await knex.transaction(async (trx) => {
          await trx('api_tokens').where({ id: token.id }).delete();
          await recordInUserOrganizations(trx, user.id, {
            actor: auditActor(ctx, caller),
            event: 'apitoken.revoke',
            target: { type: 'apitoken', id: token.id },
            data: { kind: 'user' },
          });
        });
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/org-auth-tokens/',
      scope: 'org:write',
      resource: 'organization',
      summary: "The organization's service tokens (never the tokens themselves)",
      query: z.object(pageParams),
      handler: async ({ ctx, target: { access }, query }) => {
        return listTokens(ctx, pageRequest(query), { organization_id: access.organization.id });
      },
    }),
    route({
      method: 'post',
      path: '/api/0/organizations/:organization/org-auth-tokens/',
      scope: 'org:write',
      resource: 'organization',
      summary:
        'Creates a service token bound to this organization (CI, the Slack app); shown only in this answer',
      body: tokenCreateBody,
      status: 201,
      handler: async ({ ctx, caller, target: { access }, body }) => {
        if (access.role === null)
          throw new ForbiddenError('An organization token cannot mint tokens', 'user_required');
        requireWithin(access.scopes, body.scopes, `Your role (${access.role}) and token`);
        const created = await knex.transaction(async (trx) => {
          const made = await new AccountsRepository(trx).createOrganizationToken(
            access.organization.id,
            caller.user?.id ?? null,
            body.name ?? 'Organization token',
            body.scopes,
          );
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'apitoken.create',
            target: { type: 'apitoken', id: made.id },
            data: { name: body.name ?? 'Organization token', scopes: body.scopes },
          });
          return made;
        });
        return fresh(await findLatestToken({ id: created.id }), created.token);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/org-auth-tokens/:tokenId/',
      scope: 'org:write',
      resource: 'token',
      summary: 'Revokes an organization service token',
      handler: async ({ ctx, caller, target: { access, token } }) => {
        await knex.transaction(async (trx) => {
          await trx('api_tokens').where({ id: token.id }).delete();
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'apitoken.revoke',
            target: { type: 'apitoken', id: token.id },
            data: { name: token.name },
          });
        });
        return undefined;
      },
    }),
  ];

  async function findLatestToken(where: Record<string, number>): Promise<TokenRow> {
    return knex('api_tokens').where(where).orderBy('id', 'desc').first(TOKEN_COLUMNS);
  }
}
