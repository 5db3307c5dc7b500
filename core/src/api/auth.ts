import type { AccountsRepository, User } from '../accounts';
import { AuthError } from '../errors';

/**
 * Who is calling the API: the token's user (or, for an organization service token, no user and
 * the one organization it is bound to) and the scopes the token carries. What the caller may do in
 * an organization is narrower still: see `authorize.ts`.
 */
export interface ApiCaller {
  tokenId: number;
  user: User | null;
  organizationId: number | null;
  scopes: string[];
}

const TOUCH_INTERVAL_MS = 60_000;

/** `Bearer <token>` (Sentry's documented form) or `Token <token>` (what older Sentry clients send). */
const AUTHORIZATION = /^(?:Bearer|Token)\s+(\S+)\s*$/i;

/**
 * Turns an `Authorization` header into an `ApiCaller`. Records when each token was last used, at
 * most once a minute per token, so a busy script doesn't turn every read into a write.
 */
export class TokenAuthenticator {
  private readonly lastTouched = new Map<number, number>();

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(authorization: string | undefined): Promise<ApiCaller> {
    if (!authorization) {
      throw new AuthError(
        'Authentication credentials were not provided: send the header "Authorization: Bearer <api token>"',
        'missing_credentials',
      );
    }
    const token = AUTHORIZATION.exec(authorization)?.[1];
    if (!token) {
      throw new AuthError(
        'The Authorization header must be "Bearer <api token>" (or "Token <api token>")',
        'invalid_credentials',
      );
    }
    const owner = await this.accounts.findToken(token);
    if (!owner) {
      throw new AuthError('Invalid token: it is unknown, revoked or expired', 'invalid_token');
    }
    await this.touch(owner.tokenId);
    return {
      tokenId: owner.tokenId,
      user: owner.user,
      organizationId: owner.organizationId,
      scopes: owner.scopes,
    };
  }

  private async touch(tokenId: number): Promise<void> {
    const now = this.now();
    const last = this.lastTouched.get(tokenId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(tokenId, now);
    await this.accounts.touchToken(tokenId);
  }
}
