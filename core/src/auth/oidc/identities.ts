import type { Knex } from 'knex';
import type { User } from '../../accounts';
import { recordAudit } from '../../audit';
import { ConflictError } from '../../errors';
import type { SsoProvider } from './providers';

export interface VerifiedClaims {
  subject: string;
  /** Lower-cased; the provider said it is verified. */
  email: string;
  name: string;
}

export interface SsoUser {
  user: User;
  /** A new Faultline account was made for this person. */
  created: boolean;
  /** The person became a member of the organization just now. */
  joined: boolean;
}

const USER_COLUMNS = ['id', 'email', 'name', 'is_superuser'] as const;

/**
 * Finds the Faultline user for a provider identity, in this order: an identity seen before; an
 * existing account with the same verified email, linked only when it is already a member of the
 * organization (otherwise a provider run by one organization could take over accounts it has no
 * say over); a new account. Then adds the membership with the provider's default role if missing.
 */
export async function resolveSsoUser(
  trx: Knex,
  provider: SsoProvider,
  claims: VerifiedClaims,
  ip: string | null,
): Promise<SsoUser> {
  const identity = {
    organization_id: provider.organizationId,
    issuer: provider.issuer,
    subject: claims.subject,
  };
  const known: User | undefined = await trx('sso_identities as i')
    .join('users as u', 'u.id', 'i.user_id')
    .where({
      'i.organization_id': identity.organization_id,
      'i.issuer': identity.issuer,
      'i.subject': identity.subject,
    })
    .first(USER_COLUMNS.map((c) => `u.${c}`));
  let user = known;
  let created = false;
  if (!user) {
    const existing: User | undefined = await trx('users')
      .whereRaw('lower(email) = ?', [claims.email])
      .first(USER_COLUMNS);
    if (existing && !(await isMember(trx, provider.organizationId, existing.id))) {
      throw new ConflictError(
        'An account with this email already exists; sign in with its password and ask an organization owner to add it before using single sign-on',
        'sso_link_required',
      );
    }
    user = existing ?? (await createUser(trx, claims));
    created = !existing;
    await trx('sso_identities').insert({ ...identity, user_id: user.id });
  }
  await trx('sso_identities').where(identity).update({ last_login_at: new Date() });
  const joined = await joinJustInTime(trx, provider, user, ip);
  return { user, created, joined };
}

async function isMember(trx: Knex, organizationId: number, userId: number): Promise<boolean> {
  return (
    (await trx('organization_members')
      .where({ organization_id: organizationId, user_id: userId })
      .first('id')) !== undefined
  );
}

async function createUser(trx: Knex, claims: VerifiedClaims): Promise<User> {
  const [row] = await trx('users')
    .insert({ email: claims.email, name: claims.name.slice(0, 200) })
    .returning([...USER_COLUMNS]);
  return row as User;
}

async function joinJustInTime(
  trx: Knex,
  provider: SsoProvider,
  user: User,
  ip: string | null,
): Promise<boolean> {
  const inserted = await trx('organization_members')
    .insert({ organization_id: provider.organizationId, user_id: user.id, role: provider.defaultRole })
    .onConflict(['organization_id', 'user_id'])
    .ignore()
    .returning('id');
  if (inserted.length === 0) return false;
  await recordAudit(trx, {
    organizationId: provider.organizationId,
    actor: { userId: user.id, email: user.email, tokenId: null, ip },
    event: 'member.join',
    target: { type: 'member', id: (inserted[0] as { id: number }).id },
    data: { via: 'sso', role: provider.defaultRole, issuer: provider.issuer },
  });
  return true;
}
