import type { Knex } from 'knex';
import { INTEGRATION_CLIENTS, type Client } from '@faultline/plugin-sdk';
import { grantsScope, type Scope } from '../access';
import { recordAudit, type AuditActor } from '../audit';
import { BadRequestError, ForbiddenError } from '../errors';
import { deleteTokens, insertToken, type TokenRow } from './store';

/**
 * The clients each kind of token may be issued to. `web` is the browser's session cookie, never a
 * token; `plugin` code runs inside Faultline and needs none. A person's token goes to their own
 * script (`api`) or editor (`vscode`, pasted or by device sign-in); an organization token goes to
 * CI (`api`) or an integration (`slack`, `github`), which may act for linked users.
 */
export const USER_TOKEN_CLIENTS = ['api', 'vscode'] as const satisfies readonly Client[];
export const ORGANIZATION_TOKEN_CLIENTS = [
  'api',
  ...INTEGRATION_CLIENTS,
] as const satisfies readonly Client[];

function requireClient(allowed: readonly Client[], client: Client, kind: string): void {
  if (!allowed.includes(client))
    throw new BadRequestError(
      `A ${kind} token can't be issued to the client "${client}": use ${allowed.join(', ')}`,
      'client_not_allowed',
    );
}

/** A new token may not carry more than its issuer holds: no escalation through minting tokens. */
function requireWithin(held: readonly string[], wanted: readonly Scope[], holder: string): void {
  const excess = wanted.filter((scope) => !grantsScope(held, scope));
  if (excess.length > 0)
    throw new ForbiddenError(`${holder} can't grant ${excess.join(', ')}`, 'scope_not_allowed');
}

/**
 * A person's token reaches every organization they belong to, so issuing or revoking one is recorded
 * in each of their organizations' audit logs.
 */
async function auditInUserOrganizations(
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

/**
 * Issues a token acting for `userId` to `client`, with scopes within `heldScopes` (what the
 * credential asking holds; a signed-in person holds every scope, narrowed by role where used).
 */
export async function issueUserToken(
  knex: Knex,
  request: {
    userId: number;
    client: Client;
    name: string;
    scopes: readonly Scope[];
    heldScopes: readonly string[];
    actor: AuditActor;
    /** More for the audit entries, e.g. how the token was obtained (`via: 'device_code'`). */
    details?: Record<string, unknown>;
  },
): Promise<{ row: TokenRow; secret: string }> {
  requireClient(USER_TOKEN_CLIENTS, request.client, "person's");
  requireWithin(request.heldScopes, request.scopes, 'This credential');
  return knex.transaction(async (trx) => {
    const made = await insertToken(trx, {
      owner: { userId: request.userId },
      client: request.client,
      name: request.name,
      scopes: request.scopes,
      createdByUserId: request.userId,
    });
    await auditInUserOrganizations(trx, request.userId, {
      actor: request.actor,
      event: 'apitoken.create',
      target: { type: 'apitoken', id: made.row.id },
      data: {
        name: request.name,
        scopes: request.scopes,
        kind: 'user',
        client: request.client,
        ...request.details,
      },
    });
    return made;
  });
}

/**
 * Issues an organization token (CI, an integration) on behalf of a member whose role (and
 * credential) grant `heldScopes` there; organization tokens act for no user, so they mint nothing.
 */
export async function issueOrganizationToken(
  knex: Knex,
  request: {
    organizationId: number;
    /** Embedded in the token (Sentry's `sntrys_` form), so sentry-cli finds its server and organization. */
    embed: { url: string; organizationSlug: string };
    issuer: { userId: number; role: string } | null;
    client: Client;
    name: string;
    scopes: readonly Scope[];
    heldScopes: readonly string[];
    actor: AuditActor;
  },
): Promise<{ row: TokenRow; secret: string }> {
  const issuer = request.issuer;
  if (issuer === null) throw new ForbiddenError('An organization token cannot mint tokens', 'user_required');
  requireClient(ORGANIZATION_TOKEN_CLIENTS, request.client, 'organization');
  requireWithin(request.heldScopes, request.scopes, `Your role (${issuer.role}) and credential`);
  return knex.transaction(async (trx) => {
    const made = await insertToken(trx, {
      owner: { organizationId: request.organizationId },
      client: request.client,
      name: request.name,
      scopes: request.scopes,
      createdByUserId: issuer.userId,
      embed: request.embed,
    });
    await recordAudit(trx, {
      organizationId: request.organizationId,
      actor: request.actor,
      event: 'apitoken.create',
      target: { type: 'apitoken', id: made.row.id },
      data: { name: request.name, scopes: request.scopes, client: request.client },
    });
    return made;
  });
}

/** Revokes one of a person's tokens (found by the caller among theirs). */
export async function revokeUserToken(
  knex: Knex,
  request: { userId: number; token: TokenRow; actor: AuditActor },
): Promise<void> {
  await knex.transaction(async (trx) => {
    await deleteTokens(trx, { ids: [request.token.id] });
    await auditInUserOrganizations(trx, request.userId, {
      actor: request.actor,
      event: 'apitoken.revoke',
      target: { type: 'apitoken', id: request.token.id },
      data: { kind: 'user', client: request.token.client },
    });
  });
}

/**
 * Revokes every token a person issued to one client (say, a lost laptop's editor) and leaves their
 * other clients' tokens alone. Returns how many were revoked.
 */
export async function revokeUserClientTokens(
  knex: Knex,
  request: { userId: number; client: Client; actor: AuditActor },
): Promise<number> {
  return knex.transaction(async (trx) => {
    const ids = await deleteTokens(trx, { owner: { userId: request.userId }, client: request.client });
    for (const id of ids) {
      await auditInUserOrganizations(trx, request.userId, {
        actor: request.actor,
        event: 'apitoken.revoke',
        target: { type: 'apitoken', id },
        data: { kind: 'user', client: request.client },
      });
    }
    return ids.length;
  });
}

/** Revokes an organization token. */
export async function revokeOrganizationToken(
  knex: Knex,
  request: { organizationId: number; token: TokenRow; actor: AuditActor },
): Promise<void> {
  await knex.transaction(async (trx) => {
    await deleteTokens(trx, { ids: [request.token.id] });
    await recordAudit(trx, {
      organizationId: request.organizationId,
      actor: request.actor,
      event: 'apitoken.revoke',
      target: { type: 'apitoken', id: request.token.id },
      data: { name: request.token.name, client: request.token.client },
    });
  });
}
