import type { Knex } from 'knex';
import type { Logger } from '../logging';
import type { Mailer } from '../mail';
import { SessionCookies } from './cookies';
import { DEFAULT_LOGIN_LIMITS, LoginThrottle, type LoginThrottleLimits } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { PasswordResetService } from './password-reset';
import { PasswordService } from './password-service';
import { RateLimiter } from './rate-limiter';
import { SecretBox } from './secret-box';
import { deriveKey } from './secret-key';
import { SessionAuthenticator } from './session-authenticator';
import { DEFAULT_SESSION_TIMEOUTS, SessionStore, type SessionTimeouts } from './sessions';
import { TwoFactorService } from './two-factor';

/** Everything the authentication flows use, built once per process by `createAuthServices`. */
export interface AuthServices {
  passwords: PasswordService;
  loginThrottle: LoginThrottle;
  sessions: SessionStore;
  authenticator: SessionAuthenticator;
  cookies: SessionCookies;
  passwordReset: PasswordResetService;
  twoFactor: TwoFactorService;
  /** Encryption at rest for other domains' secrets (e.g. SSO client secrets), one derived key per purpose. */
  secretBox(purpose: string): SecretBox;
  /** Limits for the endpoints that take codes or tokens rather than passwords. */
  limits: {
    /** Second-factor codes, per user. */
    secondFactor: RateLimiter;
    /** Reset requests, per IP and per email. */
    resetRequestPerIp: RateLimiter;
    resetRequestPerEmail: RateLimiter;
    /** Reset completions (token guesses), per IP. */
    resetCompletePerIp: RateLimiter;
  };
}

export interface AuthDependencies {
  knex: Knex;
  /** From `loadSecretKey(config)`; subkeys for CSRF, TOTP seeds and recovery codes are derived from it. */
  secretKey: Buffer;
  publicUrl: string;
  mailer: Mailer;
  log: Logger;
  now?: () => number;
  hasher?: PasswordHasher;
  loginLimits?: LoginThrottleLimits;
  sessionTimeouts?: SessionTimeouts;
}

/**
 * Encryption at rest for one purpose, under a key derived from the server's secret key: what
 * `AuthServices.secretBox` gives, for a process (e.g. the pipeline thread) without auth services.
 */
export function secretBoxFor(secretKey: Buffer, purpose: string): SecretBox {
  return new SecretBox(deriveKey(secretKey, purpose));
}

export function createAuthServices(deps: AuthDependencies): AuthServices {
  const { knex, secretKey, publicUrl } = deps;
  const now = deps.now ?? Date.now;
  const hasher = deps.hasher ?? new PasswordHasher();
  const sessions = new SessionStore(
    knex,
    deriveKey(secretKey, 'csrf'),
    deps.sessionTimeouts ?? DEFAULT_SESSION_TIMEOUTS,
    now,
  );
  const limiter = (bucket: string, limit: number, windowSeconds: number, message: string) =>
    new RateLimiter(knex, { bucket, limit, windowSeconds, message }, now);
  return {
    passwords: new PasswordService(knex, hasher),
    loginThrottle: new LoginThrottle(knex, deps.loginLimits ?? DEFAULT_LOGIN_LIMITS, now),
    sessions,
    authenticator: new SessionAuthenticator(sessions),
    cookies: new SessionCookies(publicUrl),
    passwordReset: new PasswordResetService(knex, hasher, deps.mailer, deps.log, { publicUrl, now }),
    twoFactor: new TwoFactorService(
      knex,
      secretBoxFor(secretKey, 'totp-seeds'),
      deriveKey(secretKey, 'recovery-codes'),
      { now },
    ),
    secretBox: (purpose) => secretBoxFor(secretKey, purpose),
    limits: {
      secondFactor: limiter('two-factor:user', 5, 15 * 60, 'Too many two-factor attempts'),
      resetRequestPerIp: limiter(
        'reset-request:ip',
        10,
        60 * 60,
        'Too many password reset requests from this address',
      ),
      resetRequestPerEmail: limiter(
        'reset-request:email',
        3,
        60 * 60,
        'Too many password reset requests for this email',
      ),
      resetCompletePerIp: limiter(
        'reset-complete:ip',
        20,
        15 * 60,
        'Too many password reset attempts from this address',
      ),
    },
  };
}
