/**
 * Authentication of people: passwords, login throttling, sessions with CSRF protection, password
 * reset by email, TOTP second factor with recovery codes. Routes call the flow functions.
 */
export {
  login,
  verifySecondFactor,
  logout,
  changePassword,
  requestPasswordReset,
  completePasswordReset,
  beginTotpEnrolment,
  confirmTotpEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
  assertMayRequireTwoFactor,
  startSession,
  type SignedIn,
  type ClientInfo,
} from './flows';
export { listOwnSessions, endOwnSession, endOtherSessions, type OwnSession } from './own-sessions';
export { createAuthServices, secretBoxFor, type AuthServices, type AuthDependencies } from './services';
export {
  InvalidCredentialsError,
  PasswordPolicyError,
  CsrfError,
  InvalidResetTokenError,
  InvalidTwoFactorCodeError,
  TwoFactorRequiredError,
  TwoFactorStateError,
  type PasswordRule,
} from './errors';
export { PasswordHasher, DEFAULT_ARGON2, type Argon2Parameters } from './password-hasher';
export { checkPasswordPolicy, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './password-policy';
export { PasswordService } from './password-service';
export { RateLimiter, type RateLimitRule, type RateLimitHit } from './rate-limiter';
export {
  LoginThrottle,
  DEFAULT_LOGIN_LIMITS,
  type LoginThrottleLimits,
  type LoginAttempt,
} from './login-throttle';
export { SessionStore, DEFAULT_SESSION_TIMEOUTS, type Session, type SessionTimeouts } from './sessions';
export { SessionAuthenticator, type SessionCaller } from './session-authenticator';
export {
  SessionCookies,
  cookieNames,
  type CookieDescription,
  type CookieOptions,
  type CookieNames,
} from './cookies';
export { assertCsrf, isSafeMethod, CSRF_HEADER } from './csrf';
export { PasswordResetService, RESET_PATH, RESET_TOKEN_LIFETIME_SECONDS } from './password-reset';
export {
  SECOND_FACTOR_METHODS,
  TwoFactorService,
  type TotpEnrolment,
  type SecondFactorMethod,
} from './two-factor';
export { RECOVERY_CODE_COUNT } from './recovery-codes';
export { SecretBox } from './secret-box';
export { loadSecretKey, deriveKey, SECRET_KEY_FILE } from './secret-key';
export { createUser, ORGANIZATION_ROLES, type CreateUserInput, type OrganizationRole } from './create-user';
export {
  beginSsoLogin,
  completeSsoLogin,
  callbackUrl,
  createSsoServices,
  isLoopbackHttp,
  providerSettings,
  ssoCookieName,
  confirmLinkAsSignedIn,
  confirmLinkWithPassword,
  describePendingLink,
  LINK_PATH,
  SSO_DEFAULT_ROLES,
  ssoSignInOption,
  type SsoServices,
  type SsoProvider,
  type SsoProviderSettings,
  type SsoDefaultRole,
} from './oidc';
