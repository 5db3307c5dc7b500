import type { Knex } from 'knex';
import { isIntegrationClient, type Client, type IntegrationClient } from '@faultline/plugin-sdk';
import type { User } from '../accounts';
import { recordAudit, type AuditActor } from '../audit';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { AccountNotLinkedError } from './errors';
import { openLinkRequest, type Sealer } from './link-requests';
import {
  deleteLink,
  findLink,
  findLinkOfUser,
  insertLink,
  type ExternalIdentity,
  type IdentityLinkRow,
} from './store';

/** What a credential is, as far as linking cares: whose, bound where, issued to which client. */
export interface CredentialFacts {
  client: Client;
  userId: number | null;
  organizationId: number | null;
}

/**
 * The provider an integration credential speaks for: only an organization credential (no user)
 * issued to `slack` or `github` may ask for links, unlink from its side or act for linked users,
 * and only in its own organization and provider.
 */
export function integrationProvider(credential: CredentialFacts, what: string): IntegrationClient {
  if (
    credential.userId !== null ||
    credential.organizationId === null ||
    !isIntegrationClient(credential.client)
  )
    throw new ForbiddenError(
      `${what} needs an organization token issued to an integration (client slack or github)`,
      'integration_required',
    );
  return credential.client;
}

/** An external id as the integration sends it: a short, printable word (Slack T…/U…, GitHub numbers). */
export function externalId(text: string, field: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(text))
    throw new BadRequestError(
      `${field} must be the provider's id, 1 to 64 letters, digits, '.', '_' or '-'`,
      'invalid_external_id',
    );
  return text;
}

async function isMember(knex: Knex, organizationId: number, userId: number): Promise<boolean> {
  const row = await knex('organization_members')
    .where({ organization_id: organizationId, user_id: userId })
    .first('id');
  return row !== undefined;
}

/**
 * Links the identity of a link request to the signed-in person who opened it, consuming the
 * request (then as `linkIdentity`).
 */
export async function confirmLink(
  knex: Knex,
  sealer: Sealer,
  request: { token: string; user: User; actor: AuditActor; now?: number },
): Promise<IdentityLinkRow> {
  return knex.transaction(async (trx) => {
    const found = await openLinkRequest(trx, sealer, request.token, { consume: true, now: request.now });
    return linkIdentity(trx, {
      organizationId: found.organizationId,
      organizationSlug: found.organizationSlug,
      identity: found.identity,
      userId: request.user.id,
      actor: request.actor,
    });
  });
}

/**
 * Links `identity` to a person who proved it is theirs (a confirmed link request, or an integration's
 * sign-in flow such as GitHub's OAuth, while they are signed in here). They must be a member of the
 * organization; an identity already linked to someone else stays theirs until unlinked (409);
 * linking it again to the same person changes nothing. Run it in a transaction.
 */
export async function linkIdentity(
  trx: Knex,
  request: {
    organizationId: number;
    organizationSlug: string;
    identity: ExternalIdentity;
    userId: number;
    actor: AuditActor;
  },
): Promise<IdentityLinkRow> {
  const { organizationId, identity } = request;
  if (!(await isMember(trx, organizationId, request.userId)))
    throw new ForbiddenError(
      `You are not a member of organization ${request.organizationSlug}: sign in with the account that is`,
      'not_a_member',
    );
  const existing = await findLink(trx, organizationId, identity);
  if (existing && existing.user_id !== request.userId)
    throw new ConflictError(
      'This identity is already linked to another Faultline account: unlink it there first',
      'identity_linked_elsewhere',
    );
  if (!existing) {
    const id = await insertLink(trx, organizationId, identity, request.userId);
    await recordAudit(trx, {
      organizationId,
      actor: request.actor,
      event: 'identity.link',
      target: { type: 'external_identity', id },
      data: describe(identity),
    });
  }
  return (await findLink(trx, organizationId, identity))!;
}

/** A person removes one of their links (from Faultline's side). */
export async function unlinkByUser(
  knex: Knex,
  request: { userId: number; linkId: number; actor: AuditActor },
): Promise<void> {
  await knex.transaction(async (trx) => {
    const link = await findLinkOfUser(trx, request.userId, request.linkId);
    if (!link) throw new NotFoundError(`Linked account ${request.linkId} not found`, 'link_not_found');
    await removeLink(trx, link, request.actor);
  });
}

/** The integration removes a link from its side (say, `/faultline unlink` in Slack). */
export async function unlinkByIdentity(
  knex: Knex,
  request: { organizationId: number; identity: ExternalIdentity; actor: AuditActor },
): Promise<void> {
  await knex.transaction(async (trx) => {
    const link = await findLink(trx, request.organizationId, request.identity);
    if (!link)
      throw new NotFoundError(
        `No Faultline account is linked to ${request.identity.provider} user ${request.identity.userId}`,
        'link_not_found',
      );
    await removeLink(trx, link, request.actor);
  });
}

async function removeLink(trx: Knex, link: IdentityLinkRow, actor: AuditActor): Promise<void> {
  await deleteLink(trx, link.id);
  await recordAudit(trx, {
    organizationId: link.organization_id,
    actor,
    event: 'identity.unlink',
    target: { type: 'external_identity', id: link.id },
    data: describe({
      provider: link.provider,
      workspaceId: link.external_workspace_id,
      userId: link.external_user_id,
    }),
  });
}

function describe(identity: ExternalIdentity): Record<string, string> {
  return { provider: identity.provider, workspaceId: identity.workspaceId, externalUserId: identity.userId };
}

/**
 * The Faultline user an integration may act for: the one linked to `identity` in the integration's
 * organization, while still a member there. Anyone else is `AccountNotLinkedError`.
 */
export async function linkedUser(
  knex: Knex,
  organizationId: number,
  identity: ExternalIdentity,
): Promise<User> {
  const row: User | undefined = await knex('external_identities as l')
    .join('organization_members as m', (j) =>
      j.on('m.organization_id', 'l.organization_id').andOn('m.user_id', 'l.user_id'),
    )
    .join('users as u', 'u.id', 'l.user_id')
    .where({
      'l.organization_id': organizationId,
      'l.provider': identity.provider,
      'l.external_workspace_id': identity.workspaceId,
      'l.external_user_id': identity.userId,
    })
    .first('u.id', 'u.email', 'u.name', 'u.is_superuser');
  if (!row)
    throw new AccountNotLinkedError(
      `${identity.provider} user ${identity.userId} (workspace ${identity.workspaceId}) has no Faultline account linked in this organization: ask them to connect their account`,
    );
  return row;
}
