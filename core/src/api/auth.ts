import type { Client } from '@faultline/plugin-sdk';
import type { Knex } from 'knex';
import type { User } from '../accounts';
import { ALL_SCOPES } from '../access';
import type { RateLimiter, RateLimitRule, Session } from '../auth';
import { AuthError } from '../errors';
import { findLiveToken, touchToken } from '../tokens';

/**
 * Who is calling the API: an API token's user (or, for an organization service token, no user and
 * the one organization it is bound to) with the token's scopes; or a person signed in with a
 * session cookie, whose scopes are all scopes, so their role alone decides (`authorize.ts`
 * intersects with the role's scopes in each organization). Public routes get `ANONYMOUS`.
 */
export interface ApiCaller {
  /** The API token used; null for a session or an anonymous caller. */
  tokenId: number | null;
  user: User | null;
  organizationId: number | null;
  scopes: string[];
  /**
   * The client the credential was issued to (a session cookie is the web UI's): what changes and
   * audit entries record as their surface. Never read from anything else the caller sends.
   */
  client: Client;
  /**
   * Set when an integration's organization token acts for the member linked to an external user
   * (`X-Faultline-Act-As`): `user` is that member and `organizationId` the integration's
   * organization, the only one reached. Such a caller never manages credentials or accounts.
   */
  actingFor?: { provider: string; workspaceId: string; externalUserId: string };
  /** Set when the caller authenticated with a session cookie. */
  session?: Session;
}

/** The caller of a public route (sign-in, password reset): nobody yet. */
export const ANONYMOUS: ApiCaller = {
  tokenId: null,
  user: null,
  organizationId: null,
  scopes: [],
  client: 'api',
};

export function sessionCaller(found: { user: User; session: Session }): ApiCaller {
  return {
    tokenId: null,
    user: found.user,
    organizationId: null,
    scopes: [...ALL_SCOPES],
    client: found.session.client,
    session: found.session,
  };
}

export function missingCredentials(): AuthError {
  return new AuthError(
    'Authentication credentials were not provided: send the header "Authorization: Bearer <api token>" or sign in',
    'missing_credentials',
  );
}

/** Unknown tokens a client address may send before it gets 429s (every process shares the count). */
export const TOKEN_FAILURE_LIMIT: RateLimitRule = {
  bucket: 'api-token:ip',
  limit: 30,
  windowSeconds: 60,
  message: 'Too many requests with an invalid API token from this address',
};

const TOUCH_INTERVAL_MS = 60_000;

/** `Bearer <token>` (Sentry's documented form) or `Token <token>` (what older Sentry clients send). */
const AUTHORIZATION = /^(?:Bearer|Token)\s+(\S+)\s*$/i;

/** The token an `Authorization` header carries, or undefined when it isn't one of the two forms. */
export function bearerToken(authorization: string): string | undefined {
  return AUTHORIZATION.exec(authorization)?.[1];
}

/**
 * Turns an `Authorization` header into an `ApiCaller`. Records when each token was last used, at
 * most once a minute per token, so a busy script doesn't turn every read into a write. With a
 * `failures` limiter, unknown tokens are counted per client address, and an address over the limit
 * gets 429 before any lookup, so tokens can't be guessed at speed.
 */
export class TokenAuthenticator {
  private readonly lastTouched = new Map<number, number>();

  constructor(
    private readonly knex: Knex,
    private readonly now: () => number = Date.now,
    private readonly failures?: RateLimiter,
  ) {}

  async authenticate(authorization: string | undefined, ip = ''): Promise<ApiCaller> {
    if (!authorization) throw missingCredentials();
    const token = bearerToken(authorization);
    if (!token) {
      throw new AuthError(
        'The Authorization header must be "Bearer <api token>" (or "Token <api token>")',
        'invalid_credentials',
      );
    }
    await this.failures?.check(ip);
    const owner = await findLiveToken(this.knex, token);
    if (!owner) {
      await this.failures?.hit(ip);
      throw new AuthError('Invalid token: it is unknown, revoked or expired', 'invalid_token');
    }
    await this.touch(owner.tokenId);
    return {
      tokenId: owner.tokenId,
      user: owner.user,
      organizationId: owner.organizationId,
      scopes: owner.scopes,
      client: owner.client,
    };
  }

  private async touch(tokenId: number): Promise<void> {
    const now = this.now();
    const last = this.lastTouched.get(tokenId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(tokenId, now);
    await touchToken(this.knex, tokenId);
  }
}
