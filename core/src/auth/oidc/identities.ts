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

/** What a verified provider identity leads to. */
export type SsoResolution =
  | ({ kind: 'signed-in' } & SsoUser)
  /**
   * An account with this email exists but has never signed in through this identity: nobody is
   * signed in until the person proves the account is theirs (`linkIdentity` after that proof).
   */
  | { kind: 'link-required'; user: User };

/**
 * Finds the Faultline user for a provider identity: an identity linked before signs its user in;
 * an email nobody has yet gets a new account (and the identity); an email that belongs to an
 * existing account gets nothing yet. An organization's owner chooses its provider, and a provider
 * can claim any email as verified, so the claim alone must never open an account that also lives
 * in other organizations (Sentry asks the same proof before linking). Signing in adds the
 * membership with the provider's default role when missing.
 */
export async function resolveSsoUser(
  trx: Knex,
  provider: SsoProvider,
  claims: VerifiedClaims,
  ip: string | null,
): Promise<SsoResolution> {
  const identity = identityKey(provider, claims.subject);
  const known: User | undefined = await trx('sso_identities as i')
    .join('users as u', 'u.id', 'i.user_id')
    .where({
      'i.organization_id': identity.organization_id,
      'i.issuer': identity.issuer,
      'i.subject': identity.subject,
    })
    .first(USER_COLUMNS.map((c) => `u.${c}`));
  if (known) {
    await trx('sso_identities').where(identity).update({ last_login_at: new Date() });
    return {
      kind: 'signed-in',
      user: known,
      created: false,
      joined: await joinJustInTime(trx, provider, known, ip),
    };
  }
  const existing: User | undefined = await trx('users')
    .whereRaw('lower(email) = ?', [claims.email])
    .orderBy('id')
    .first(USER_COLUMNS);
  if (existing) return { kind: 'link-required', user: existing };
  const user = await createUser(trx, claims);
  await trx('sso_identities').insert({ ...identity, user_id: user.id, last_login_at: new Date() });
  return { kind: 'signed-in', user, created: true, joined: await joinJustInTime(trx, provider, user, ip) };
}

/**
 * Links the provider identity to `user`, who has just proved the account is theirs, and adds the
 * membership if missing; true when they joined just now. Linking twice is harmless; an identity
 * already linked to someone else is refused.
 */
export async function linkIdentity(
  trx: Knex,
  provider: SsoProvider,
  subject: string,
  user: User,
  ip: string | null,
): Promise<boolean> {
  const identity = identityKey(provider, subject);
  const inserted = await trx('sso_identities')
    .insert({ ...identity, user_id: user.id, last_login_at: new Date() })
    .onConflict(['organization_id', 'issuer', 'subject'])
    .ignore()
    .returning('id');
  const linked: { user_id: number } | undefined = await trx('sso_identities')
    .where(identity)
    .first('user_id');
  if (linked?.user_id !== user.id) {
    throw new ConflictError(
      'This single sign-on identity is already linked to another account',
      'sso_identity_taken',
    );
  }
  if (inserted.length > 0) {
    await recordAudit(trx, {
      organizationId: provider.organizationId,
      // Single sign-on happens in the browser: the web UI's surface.
      actor: { userId: user.id, email: user.email, tokenId: null, ip, surface: 'web' },
      event: 'sso.link',
      target: { type: 'sso_identity', id: (inserted[0] as { id: number }).id },
      data: { issuer: provider.issuer, subject },
    });
  }
  return joinJustInTime(trx, provider, user, ip);
}

function identityKey(provider: SsoProvider, subject: string) {
  return { organization_id: provider.organizationId, issuer: provider.issuer, subject };
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
    // Single sign-on happens in the browser: the web UI's surface.
    actor: { userId: user.id, email: user.email, tokenId: null, ip, surface: 'web' },
    event: 'member.join',
    target: { type: 'member', id: (inserted[0] as { id: number }).id },
    data: { via: 'sso', role: provider.defaultRole, issuer: provider.issuer },
  });
  return true;
}
