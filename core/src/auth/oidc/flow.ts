import type { Knex } from 'knex';
import * as oidc from 'openid-client';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors';
import type { CookieDescription } from '../cookies';
import type { SecretBox } from '../secret-box';
import type { AuthServices } from '../services';
import type { OidcDiscovery } from './discovery';
import { resolveSsoUser, type SsoUser, type VerifiedClaims } from './identities';
import { LOGIN_ATTEMPT_SECONDS, type SsoLoginAttempts } from './login-attempts';
import { LINK_PATH, PENDING_LINK_SECONDS, pendingLinkCookie } from './pending-links';
import type { SsoProvider, SsoProviders } from './providers';
import { landingUrl, sameOriginPath } from './redirects';
import { ssoCookie } from './sso-cookies';

/** Where a signed-in user with 2FA lands to enter the code (the web UI's page). */
export const TWO_FACTOR_PATH = '/auth/two-factor';

export interface SsoServices {
  knex: Knex;
  publicUrl: string;
  providers: SsoProviders;
  discovery: OidcDiscovery;
  attempts: SsoLoginAttempts;
  /** Sessions, cookies, passwords and 2FA: what signing in and proving an account take. */
  auth: AuthServices;
  /** Encryption under the SSO key (pending links travel sealed in a cookie). */
  box: SecretBox;
}

export interface SsoRedirect {
  location: string;
  cookies: CookieDescription[];
}

export interface SsoCallback {
  query: { state?: string; code?: string; error?: string; error_description?: string };
  /** The raw query string as received: the provider may add parameters (`iss`) that are checked too. */
  rawQuery: string;
  /** The value of the state cookie set by `beginSsoLogin`. */
  stateCookie: string | undefined;
  ip: string;
  userAgent?: string;
}

export function callbackUrl(publicUrl: string, organizationSlug: string): string {
  return `${publicUrl}/api/0/auth/sso/${encodeURIComponent(organizationSlug)}/callback/`;
}

/** Step one: remember state, nonce and PKCE verifier, and send the browser to the provider. */
export async function beginSsoLogin(
  sso: SsoServices,
  organizationSlug: string,
  next: string | undefined,
): Promise<SsoRedirect> {
  const provider = await enabledProvider(sso, organizationSlug);
  const nextPath = next === undefined ? null : sameOriginPath(next, sso.publicUrl);
  const config = await sso.discovery.configuration(
    provider.issuer,
    provider.clientId,
    sso.providers.clientSecret(provider),
  );
  const attempt = await sso.attempts.create(provider.organizationId, nextPath);
  const location = oidc.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl(sso.publicUrl, organizationSlug),
    scope: 'openid email profile',
    state: attempt.state,
    nonce: attempt.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(attempt.codeVerifier),
    code_challenge_method: 'S256',
  });
  return {
    location: location.toString(),
    // The state cookie binds the login to the browser that started it, so a stolen or planted
    // callback URL is useless elsewhere.
    cookies: [ssoCookie(sso.publicUrl, 'state', attempt.state, LOGIN_ATTEMPT_SECONDS)],
  };
}

/** How a callback ended: signed in (possibly still owing the second factor), or a link to confirm. */
export type SsoCallbackResult = SsoRedirect &
  (
    | ({ outcome: 'signed-in'; secondFactorRequired: boolean } & SsoUser)
    | { outcome: 'link-pending'; email: string }
  );

/**
 * Step two: check the state against the cookie and the stored attempt, exchange the code, validate
 * the ID token (issuer, audience, nonce, expiry: openid-client), require a verified email in an
 * allowed domain, then find the user. A linked identity or a new account signs in (joining the
 * organization just in time); an existing account not yet linked gets no session, only a pending
 * link in this browser that the person confirms with the account's password (+ 2FA) or session.
 */
export async function completeSsoLogin(
  sso: SsoServices,
  organizationSlug: string,
  callback: SsoCallback,
): Promise<SsoCallbackResult> {
  const provider = await enabledProvider(sso, organizationSlug);
  const state = callback.query.state;
  if (state === undefined || callback.stateCookie === undefined || callback.stateCookie !== state) {
    throw new BadRequestError(
      'This sign-in was not started from this browser, or took too long; start again',
      'sso_state_mismatch',
    );
  }
  const attempt = await sso.attempts.consume(provider.organizationId, state);
  if (!attempt) {
    throw new BadRequestError('Unknown, used or expired sign-in state; start again', 'sso_state_invalid');
  }
  if (callback.query.error !== undefined) {
    const detail = callback.query.error_description ?? callback.query.error;
    throw new BadRequestError(
      `The identity provider refused the sign-in: ${detail.slice(0, 200)}`,
      'sso_provider_error',
    );
  }
  const config = await sso.discovery.configuration(
    provider.issuer,
    provider.clientId,
    sso.providers.clientSecret(provider),
  );
  const claims = await exchange(sso, config, organizationSlug, callback.rawQuery, attempt);
  checkEmail(provider, claims);
  const found = await sso.knex.transaction((trx) => resolveSsoUser(trx, provider, claims, callback.ip));
  const clearState = ssoCookie(sso.publicUrl, 'state', '', 0);
  const origin = new URL(sso.publicUrl).origin;
  const landing = landingUrl(sso.publicUrl, attempt.next);
  const nextParam = `?next=${encodeURIComponent(new URL(landing).pathname)}`;
  if (found.kind === 'link-required') {
    const link = {
      organizationId: provider.organizationId,
      issuer: provider.issuer,
      subject: claims.subject,
      userId: found.user.id,
      email: found.user.email.toLowerCase(),
      next: attempt.next,
      expiresAt: Date.now() + PENDING_LINK_SECONDS * 1000,
    };
    return {
      outcome: 'link-pending',
      email: link.email,
      location: `${origin}${LINK_PATH}${nextParam}`,
      cookies: [pendingLinkCookie(sso.publicUrl, sso.box, link), clearState],
    };
  }
  const { token, session } = await sso.auth.sessions.create(found.user.id, {
    ip: callback.ip,
    userAgent: callback.userAgent,
  });
  const maxAgeSeconds = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
  return {
    outcome: 'signed-in',
    user: found.user,
    created: found.created,
    joined: found.joined,
    location: session.pendingSecondFactor ? `${origin}${TWO_FACTOR_PATH}${nextParam}` : landing,
    secondFactorRequired: session.pendingSecondFactor,
    cookies: [
      sso.auth.cookies.session(token, maxAgeSeconds),
      sso.auth.cookies.csrf(session.csrfToken, maxAgeSeconds),
      clearState,
    ],
  };
}

async function enabledProvider(sso: SsoServices, organizationSlug: string): Promise<SsoProvider> {
  const organization: { id: number } | undefined = await sso
    .knex('organizations')
    .where({ slug: organizationSlug })
    .first('id');
  const provider = organization && (await sso.providers.find(organization.id));
  // An unknown organization answers like one without SSO: the public route reveals no slugs.
  if (!provider) {
    throw new NotFoundError('Single sign-on is not set up for this organization', 'sso_not_configured');
  }
  if (!provider.enabled) {
    throw new ForbiddenError('Single sign-on is turned off for this organization', 'sso_disabled');
  }
  return provider;
}

async function exchange(
  sso: SsoServices,
  config: oidc.Configuration,
  organizationSlug: string,
  rawQuery: string,
  attempt: { state: string; nonce: string; codeVerifier: string },
): Promise<Partial<VerifiedClaims> & { subject: string; emailVerified: boolean }> {
  const currentUrl = new URL(callbackUrl(sso.publicUrl, organizationSlug));
  currentUrl.search = rawQuery;
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: attempt.codeVerifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    throw new BadRequestError(
      `The identity provider's answer was refused: ${(error as Error).message}`,
      'sso_exchange_failed',
    );
  }
  const idToken = tokens.claims();
  if (!idToken) throw new BadRequestError('The identity provider sent no ID token', 'sso_exchange_failed');
  let email: unknown = idToken.email;
  let verified: unknown = idToken.email_verified;
  let name: unknown = idToken.name;
  // Providers that keep ID tokens small put the email in the userinfo answer instead.
  if (email === undefined && tokens.access_token) {
    const info = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
    ({ email, email_verified: verified, name } = info);
  }
  return {
    subject: idToken.sub,
    email: typeof email === 'string' ? email.trim().toLowerCase() : undefined,
    emailVerified: verified === true,
    name: typeof name === 'string' ? name : '',
  };
}

function checkEmail(
  provider: SsoProvider,
  claims: Partial<VerifiedClaims> & { emailVerified: boolean },
): asserts claims is VerifiedClaims & { emailVerified: true } {
  if (!claims.email || !claims.emailVerified) {
    throw new ForbiddenError(
      'The identity provider did not vouch for your email address (email_verified); verify it there and try again',
      'sso_email_unverified',
    );
  }
  const domain = claims.email.slice(claims.email.lastIndexOf('@') + 1);
  if (provider.allowedDomains.length > 0 && !provider.allowedDomains.includes(domain)) {
    throw new ForbiddenError(
      `Email addresses at ${domain} may not sign in to this organization with single sign-on`,
      'sso_domain_not_allowed',
    );
  }
}
