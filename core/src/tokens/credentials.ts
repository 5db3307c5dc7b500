import type { Knex } from 'knex';
import type { Client } from '@faultline/plugin-sdk';
import { hashToken, type User } from '../accounts';

/**
 * A token as a credential: who presents it acts as its user (or, for an organization token, as the
 * organization), with its scopes, through its client. Only tokens not revoked (deleted) and not
 * expired count.
 */
export interface TokenCredential {
  tokenId: number;
  user: User | null;
  /** Set for an organization service token: the only organization it reaches. */
  organizationId: number | null;
  scopes: string[];
  /** The client the token was issued to (`plugin-sdk`'s CLIENTS). */
  client: Client;
}

function liveTokens(knex: Knex): Knex.QueryBuilder {
  return knex('api_tokens as t').andWhere((q) =>
    q.whereNull('t.expires_at').orWhere('t.expires_at', '>', knex.fn.now()),
  );
}

/** The live token whose secret this is; only the secret's hash is compared. */
export async function findLiveToken(knex: Knex, secret: string): Promise<TokenCredential | undefined> {
  const row = await liveTokens(knex)
    .leftJoin('users as u', 'u.id', 't.user_id')
    .where('t.token_hash', hashToken(secret))
    .first(
      't.id as token_id',
      't.scopes',
      't.client',
      't.organization_id',
      'u.id',
      'u.email',
      'u.name',
      'u.is_superuser',
    );
  if (!row) return undefined;
  return {
    tokenId: row.token_id,
    scopes: row.scopes,
    client: row.client,
    organizationId: row.organization_id,
    user:
      row.id === null
        ? null
        : { id: row.id, email: row.email, name: row.name, is_superuser: row.is_superuser },
  };
}

/** Whether token `tokenId` is still usable: not revoked, not expired. */
export async function isTokenLive(knex: Knex, tokenId: number): Promise<boolean> {
  return (await liveTokens(knex).where('t.id', tokenId).first('t.id')) !== undefined;
}

/** Records that the token was just used (the token lists show it). */
export async function touchToken(knex: Knex, tokenId: number): Promise<void> {
  await knex('api_tokens').where({ id: tokenId }).update({ last_used_at: knex.fn.now() });
}
