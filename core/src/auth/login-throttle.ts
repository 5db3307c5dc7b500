import type { Knex } from 'knex';
import { RateLimiter, type RateLimitHit } from './rate-limiter';
import { normalizeEmail } from './user-credentials';

export interface LoginThrottleLimits {
  perAccount: { limit: number; windowSeconds: number };
  perIp: { limit: number; windowSeconds: number };
}

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = {
  perAccount: { limit: 5, windowSeconds: 15 * 60 },
  perIp: { limit: 20, windowSeconds: 15 * 60 },
};

/** One login attempt in progress: counted as a failure unless `succeeded()` is called. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

/**
 * Limits failed logins per account and per client IP. Each attempt is counted as a failure before
 * the password is checked (so concurrent guesses can't slip past the count) and taken back when it
 * succeeds. Accounts are keyed by normalized email whether or not the account exists, so the
 * throttle answers the same for unknown emails.
 */
export class LoginThrottle {
  private readonly perAccount: RateLimiter;
  private readonly perIp: RateLimiter;

  constructor(knex: Knex, limits: LoginThrottleLimits = DEFAULT_LOGIN_LIMITS, now: () => number = Date.now) {
    this.perAccount = new RateLimiter(
      knex,
      {
        bucket: 'login:account',
        ...limits.perAccount,
        message: 'Too many failed sign-in attempts for this account',
      },
      now,
    );
    this.perIp = new RateLimiter(
      knex,
      { bucket: 'login:ip', ...limits.perIp, message: 'Too many failed sign-in attempts from this address' },
      now,
    );
  }

  /** Counts the attempt; throws `RateLimitedError` (with Retry-After) when the account or IP is over its limit. */
  async begin(email: string, ip: string): Promise<LoginAttempt> {
    const account = normalizeEmail(email);
    const ipHit = await this.perIp.hit(ip);
    let accountHit: RateLimitHit;
    try {
      accountHit = await this.perAccount.hit(account);
    } catch (error) {
      await ipHit.release();
      throw error;
    }
    return {
      succeeded: async () => {
        // A success clears the account's failures, but not the address's: one valid account must
        // not launder guesses against others from the same address.
        await accountHit.release();
        await ipHit.release();
        await this.perAccount.reset(account);
      },
    };
  }
}
