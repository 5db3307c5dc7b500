import type { Knex } from 'knex';
import type { Client } from '@faultline/plugin-sdk';
import { hashToken, newApiToken, newOrganizationApiToken } from '../accounts';
import { NotFoundError } from '../errors';

/** One row of `api_tokens` as lists and rules read it; never the token's hash. */
export interface TokenRow {
  id: number;
  /** The person the token acts for; null for an organization token. */
  user_id: number | null;
  /** The one organization an organization token reaches; null for a person's token. */
  organization_id: number | null;
  created_by_user_id: number | null;
  client: Client;
  name: string;
  scopes: string[];
  token_last_characters: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}

export const TOKEN_COLUMNS = [
  'id',
  'user_id',
  'organization_id',
  'created_by_user_id',
  'client',
  'name',
  'scopes',
  'token_last_characters',
  'created_at',
  'last_used_at',
  'expires_at',
];

/** A person's own tokens, or an organization's. */
export type TokenOwner = { userId: number } | { organizationId: number };

function ownerColumns(owner: TokenOwner): Record<string, number> {
  return 'organizationId' in owner ? { organization_id: owner.organizationId } : { user_id: owner.userId };
}

/** One token of `owner` by id; anyone else's answers like a missing one. */
export async function findToken(knex: Knex, owner: TokenOwner, id: string): Promise<TokenRow> {
  const row: TokenRow | undefined = /^\d{1,9}$/.test(id)
    ? await knex('api_tokens')
        .where({ id: Number(id), ...ownerColumns(owner) })
        .first(TOKEN_COLUMNS)
    : undefined;
  if (!row) throw new NotFoundError(`Token ${id} not found`, 'token_not_found');
  return row;
}

/** `owner`'s tokens, oldest first, optionally of one client. */
export function tokensOf(knex: Knex, owner: TokenOwner, client?: Client): Knex.QueryBuilder {
  const query = knex('api_tokens').where(ownerColumns(owner));
  if (client !== undefined) query.where('client', client);
  return query.orderBy('id').select(TOKEN_COLUMNS);
}

/** Stores a new token and returns its row and, this once, the token itself (only its hash is kept). */
export async function insertToken(
  knex: Knex,
  token: {
    owner: TokenOwner;
    client: Client;
    name: string;
    scopes: readonly string[];
    createdByUserId: number | null;
    /**
     * For an organization token: the installation's public URL and the organization's slug, which
     * make it a Sentry `sntrys_` token that sentry-cli reads them from. Without it, a plain token.
     */
    embed?: { url: string; organizationSlug: string };
  },
): Promise<{ row: TokenRow; secret: string }> {
  const secret = token.embed ? newOrganizationApiToken(token.embed) : newApiToken();
  const [row]: TokenRow[] = await knex('api_tokens')
    .insert({
      ...ownerColumns(token.owner),
      created_by_user_id: token.createdByUserId,
      client: token.client,
      name: token.name,
      token_hash: hashToken(secret),
      token_last_characters: secret.slice(-4),
      scopes: [...token.scopes],
    })
    .returning(TOKEN_COLUMNS);
  return { row, secret };
}

/** Deletes the tokens matched; returns their ids. A deleted token fails its next request at once. */
export async function deleteTokens(
  knex: Knex,
  where: { ids: number[] } | { owner: TokenOwner; client: Client },
): Promise<number[]> {
  const query = knex('api_tokens');
  if ('ids' in where) query.whereIn('id', where.ids);
  else query.where({ ...ownerColumns(where.owner), client: where.client });
  const rows: { id: number }[] = await query.delete().returning('id');
  return rows.map((r) => r.id);
}
