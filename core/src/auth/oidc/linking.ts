import type { User } from '../../accounts';
import { ConflictError, ForbiddenError } from '../../errors';
import type { CookieDescription } from '../cookies';
import { proveAccount, startSession, type ClientInfo, type SignedIn } from '../flows';
import type { SessionCaller } from '../session-authenticator';
import type { SsoServices } from './flow';
import { linkIdentity } from './identities';
import { clearedPendingLinkCookie, openPendingLink, type PendingLink } from './pending-links';
import type { SsoProvider } from './providers';
import { landingUrl } from './redirects';

export interface PendingLinkSummary {
  organization: { slug: string; name: string };
  /** The existing account the identity would be linked to. */
  email: string;
  expiresAt: Date;
}

export interface SsoLinked {
  /** Where to send the browser now: the page the sign-in started for. */
  location: string;
  /** Cookies to set: the session's (password confirmation only) and the cleared pending link. */
  cookies: CookieDescription[];
  /** The person became a member of the organization just now. */
  joined: boolean;
}

/** What the confirmation page shows: which organization and which account. */
export async function describePendingLink(
  sso: SsoServices,
  cookieValue: string | undefined,
): Promise<PendingLinkSummary> {
  const link = openPendingLink(sso.box, cookieValue);
  const { organization } = await linkTarget(sso, link);
  return {
    organization: { slug: organization.slug, name: organization.name },
    email: link.email,
    expiresAt: new Date(link.expiresAt),
  };
}

/**
 * Confirms the pending link with the account's password (and second factor when it has one), then
 * links the identity and signs the person in with a complete session.
 */
export async function confirmLinkWithPassword(
  sso: SsoServices,
  cookieValue: string | undefined,
  input: { password: string; code?: string } & ClientInfo,
): Promise<SsoLinked & { signedIn: SignedIn; has2fa: boolean }> {
  const link = openPendingLink(sso.box, cookieValue);
  const { provider, user } = await linkTarget(sso, link);
  const proof = await proveAccount(sso.auth, user, input);
  const joined = await sso.knex.transaction((trx) =>
    linkIdentity(trx, provider, link.subject, user, input.ip),
  );
  const signedIn = await startSession(sso.auth, user, { ...proof, ...input });
  return {
    location: landingUrl(sso.publicUrl, link.next),
    cookies: [...signedIn.cookies, clearedPendingLinkCookie(sso.publicUrl)],
    joined,
    signedIn,
    has2fa: proof.secondFactorPassed,
  };
}

/**
 * Confirms the pending link as the person already signed in (password and second factor passed
 * when the session began). Only the account the identity named may confirm it: a signed-in
 * someone else can't collect another person's identity. The route is a CSRF-checked write, so a
 * page elsewhere can't confirm it for them either.
 */
export async function confirmLinkAsSignedIn(
  sso: SsoServices,
  cookieValue: string | undefined,
  caller: SessionCaller,
  client: ClientInfo,
): Promise<SsoLinked> {
  const link = openPendingLink(sso.box, cookieValue);
  const { provider, user } = await linkTarget(sso, link);
  if (user.id !== caller.user.id) {
    throw new ForbiddenError(
      `This sign-in belongs to the account ${link.email}; sign out and confirm it with that account's password`,
      'sso_link_other_account',
    );
  }
  const joined = await sso.knex.transaction((trx) =>
    linkIdentity(trx, provider, link.subject, user, client.ip),
  );
  return {
    location: landingUrl(sso.publicUrl, link.next),
    cookies: [clearedPendingLinkCookie(sso.publicUrl)],
    joined,
  };
}

/**
 * The provider and account of a pending link, as they are now: the link is refused when single
 * sign-on was turned off or pointed at another issuer, or the account's email changed meanwhile.
 */
async function linkTarget(
  sso: SsoServices,
  link: PendingLink,
): Promise<{ provider: SsoProvider; user: User; organization: { slug: string; name: string } }> {
  const stale = new ConflictError(
    'Single sign-on or the account changed since this sign-in began; sign in through your organization again',
    'sso_link_stale',
  );
  const organization: { slug: string; name: string } | undefined = await sso
    .knex('organizations')
    .where({ id: link.organizationId })
    .first('slug', 'name');
  const provider = await sso.providers.find(link.organizationId);
  const user: User | undefined = await sso
    .knex('users')
    .where({ id: link.userId })
    .first('id', 'email', 'name', 'is_superuser');
  if (
    !organization ||
    !provider?.enabled ||
    provider.issuer !== link.issuer ||
    user?.email.toLowerCase() !== link.email
  )
    throw stale;
  return { provider, user, organization };
}
