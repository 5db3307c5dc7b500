import type { Knex } from 'knex';
import type { IntegrationClient } from '@faultline/plugin-sdk';
import { BadRequestError, GoneError } from '../errors';
import type { ExternalIdentity } from './store';

/** How long a link an integration sends stays usable: long enough to open it and sign in. */
export const LINK_REQUEST_TTL_SECONDS = 10 * 60;

/** The associated data sealed links are bound to, so no other sealed value passes for one. */
const LINK_CONTEXT = 'account-link-request';

/** Authenticated encryption under a server key (`AuthServices.secretBox`): what signs the links. */
export interface Sealer {
  seal(plaintext: string, context: string): string;
  /** Throws when the value was altered or sealed with another key or context. */
  open(sealed: string, context: string): string;
}

export interface LinkRequest {
  id: number;
  organizationId: number;
  organizationSlug: string;
  identity: ExternalIdentity;
  expiresAt: Date;
}

interface LinkRequestRow {
  id: number;
  organization_id: number;
  organization_slug: string;
  provider: IntegrationClient;
  external_workspace_id: string;
  external_user_id: string;
  expires_at: Date;
  used_at: Date | null;
}

/**
 * Records that an integration asks for `identity` to be linked in its organization, and returns the
 * token of the link it sends that person: the request's id sealed (AES-GCM) under the server's key,
 * so it can't be forged or altered. The row makes it single-use and short-lived.
 */
export async function createLinkRequest(
  knex: Knex,
  sealer: Sealer,
  request: { organizationId: number; identity: ExternalIdentity; tokenId: number | null; now?: number },
): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date((request.now ?? Date.now()) + LINK_REQUEST_TTL_SECONDS * 1000);
  const [row]: { id: number }[] = await knex('account_link_requests')
    .insert({
      organization_id: request.organizationId,
      provider: request.identity.provider,
      external_workspace_id: request.identity.workspaceId,
      external_user_id: request.identity.userId,
      requested_by_token_id: request.tokenId,
      expires_at: expiresAt,
    })
    .returning('id');
  return { token: sealer.seal(JSON.stringify({ id: row.id }), LINK_CONTEXT), expiresAt };
}

function invalidLink(): BadRequestError {
  return new BadRequestError(
    'This account link is not valid: ask for a new one where you got it (e.g. /faultline link in Slack)',
    'invalid_link',
  );
}

function requestIdOf(sealer: Sealer, token: string): number {
  try {
    const { id } = JSON.parse(sealer.open(token, LINK_CONTEXT)) as { id: unknown };
    if (typeof id === 'number' && Number.isSafeInteger(id)) return id;
  } catch {
    // Altered, truncated or foreign: answered below like any other bad link.
  }
  throw invalidLink();
}

/**
 * The request behind a link, when it is still usable: unused and unexpired (410 otherwise, saying
 * which). With `consume`, marks it used in the same statement, so two confirmations can't both win.
 */
export async function openLinkRequest(
  knex: Knex,
  sealer: Sealer,
  token: string,
  options: { consume: boolean; now?: number },
): Promise<LinkRequest> {
  const id = requestIdOf(sealer, token);
  const now = new Date(options.now ?? Date.now());
  const usable = () =>
    knex('account_link_requests').where('id', id).whereNull('used_at').andWhere('expires_at', '>', now);
  const found: { id: number } | undefined = options.consume
    ? (await usable().update({ used_at: now }).returning('id'))[0]
    : await usable().first('id');
  const row: LinkRequestRow | undefined = await knex('account_link_requests as r')
    .join('organizations as o', 'o.id', 'r.organization_id')
    .where('r.id', id)
    .first('r.*', 'o.slug as organization_slug');
  if (!row) throw invalidLink();
  if (!found) {
    if (row.used_at !== null)
      throw new GoneError('This account link was already used: ask for a new one', 'link_used');
    throw new GoneError('This account link has expired: ask for a new one', 'link_expired');
  }
  return {
    id: row.id,
    organizationId: row.organization_id,
    organizationSlug: row.organization_slug,
    identity: {
      provider: row.provider,
      workspaceId: row.external_workspace_id,
      userId: row.external_user_id,
    },
    expiresAt: new Date(row.expires_at),
  };
}
