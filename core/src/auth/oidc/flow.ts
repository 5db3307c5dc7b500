import type { Knex } from 'knex';
import * as oidc from 'openid-client';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../errors';
import type { CookieDescription, CookieOptions } from '../cookies';
import type { SessionCookies } from '../cookies';
import type { SessionStore } from '../sessions';
import type { OidcDiscovery } from './discovery';
import { resolveSsoUser, type SsoUser, type VerifiedClaims } from './identities';
import { LOGIN_ATTEMPT_SECONDS, type SsoLoginAttempts } from './login-attempts';
import type { SsoProvider, SsoProviders } from './providers';
import { landingUrl, sameOriginPath } from './redirects';

/** Where a signed-in user with 2FA lands to enter the code (the web UI's page). */
export const TWO_FACTOR_PATH = '/auth/two-factor';

export interface SsoServices {
  knex: Knex;
  publicUrl: string;
  providers: SsoProviders;
  discovery: OidcDiscovery;
  attempts: SsoLoginAttempts;
  sessions: SessionStore;
  cookies: SessionCookies;
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

/** Binds the login to the browser that started it, so a stolen or planted callback URL is useless elsewhere. */
export function stateCookieName(publicUrl: string): string {
  return `${new URL(publicUrl).protocol === 'https:' ? '__Host-' : ''}faultline_sso_state`;
}

function stateCookie(publicUrl: string, value: string, maxAgeSeconds: number): CookieDescription {
  const options: CookieOptions = {
    httpOnly: true,
    // Lax: the provider sends the browser back with a top-level GET, which carries Lax cookies.
    sameSite: 'lax',
    secure: new URL(publicUrl).protocol === 'https:',
    path: '/',
    maxAge: maxAgeSeconds * 1000,
    overwrite: true,
  };
  return { name: stateCookieName(publicUrl), value, options };
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
    cookies: [stateCookie(sso.publicUrl, attempt.state, LOGIN_ATTEMPT_SECONDS)],
  };
}

/**
 * Step two: check the state against the cookie and the stored attempt, exchange the code, validate
 * the ID token (issuer, audience, nonce, expiry: openid-client), require a verified email in an
 * allowed domain, find or create the user, join them to the organization, start a session.
 */
export async function completeSsoLogin(
  sso: SsoServices,
  organizationSlug: string,
  callback: SsoCallback,
): Promise<SsoRedirect & SsoUser & { secondFactorRequired: boolean }> {
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
  const { token, session } = await sso.sessions.create(found.user.id, {
    ip: callback.ip,
    userAgent: callback.userAgent,
  });
  const maxAgeSeconds = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
  const landing = landingUrl(sso.publicUrl, attempt.next);
  const location = session.pendingSecondFactor
    ? `${new URL(sso.publicUrl).origin}${TWO_FACTOR_PATH}?next=${encodeURIComponent(new URL(landing).pathname)}`
    : landing;
  return {
    ...found,
    location,
    secondFactorRequired: session.pendingSecondFactor,
    cookies: [
      sso.cookies.session(token, maxAgeSeconds),
      sso.cookies.csrf(session.csrfToken, maxAgeSeconds),
      stateCookie(sso.publicUrl, '', 0),
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
