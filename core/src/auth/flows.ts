import type { User } from '../accounts';
import type { CookieDescription } from './cookies';
import { InvalidCredentialsError, TwoFactorRequiredError, TwoFactorStateError } from './errors';
import type { AuthServices } from './services';
import type { SessionCaller } from './session-authenticator';
import type { Session } from './sessions';
import type { SecondFactorMethod, TotpEnrolment } from './two-factor';

/**
 * One function per sign-in flow, free of Koa: routes parse the request, call one of these and
 * apply the returned cookies. Every error is a typed `FaultlineError`.
 */

export interface SignedIn {
  user: User;
  session: Session;
  /** Session and CSRF cookies to set; the CSRF token is also `session.csrfToken`. */
  cookies: CookieDescription[];
  /** The user has 2FA: the session only finishes signing in through `verifySecondFactor`. */
  secondFactorRequired: boolean;
}

export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

/** Email + password. Throws `RateLimitedError` (429 with Retry-After) or `InvalidCredentialsError`. */
export async function login(
  auth: AuthServices,
  input: { email: string; password: string } & ClientInfo,
): Promise<SignedIn> {
  const attempt = await auth.loginThrottle.begin(input.email, input.ip);
  const user = await auth.passwords.verifyPassword(input.email, input.password);
  if (!user) throw new InvalidCredentialsError();
  await attempt.succeeded();
  const { token, session } = await auth.sessions.create(user.id, {
    ip: input.ip,
    userAgent: input.userAgent,
  });
  return signedIn(auth, user, token, session);
}

/**
 * A person proving, outside any session, that a known account is theirs: its password, throttled
 * like a login, then (when the account has 2FA) a TOTP or recovery code, limited like the 2FA step.
 * Nothing is signed in; returns whether a second factor passed, for `startSession`. This is what
 * linking a single sign-on identity to an existing account asks for, as Sentry does.
 */
export async function proveAccount(
  auth: AuthServices,
  user: User,
  input: { password: string; code?: string } & ClientInfo,
): Promise<{ secondFactorPassed: boolean }> {
  const attempt = await auth.loginThrottle.begin(user.email, input.ip);
  if (!(await auth.passwords.verifyPasswordOf(user.id, input.password))) throw new InvalidCredentialsError();
  await attempt.succeeded();
  if (!(await auth.twoFactor.userHas2FA(user.id))) return { secondFactorPassed: false };
  if (input.code === undefined) throw new TwoFactorRequiredError();
  const hit = await auth.limits.secondFactor.hit(String(user.id));
  await auth.twoFactor.verify(user.id, input.code);
  await hit.release();
  return { secondFactorPassed: true };
}

/** A new session for a person who just proved who they are (`proveAccount`); complete when the second factor passed. */
export async function startSession(
  auth: AuthServices,
  user: User,
  proof: { secondFactorPassed: boolean } & ClientInfo,
): Promise<SignedIn> {
  const created = await auth.sessions.create(user.id, { ip: proof.ip, userAgent: proof.userAgent });
  const { token, session } = proof.secondFactorPassed
    ? await auth.sessions.rotate(created.session, { twoFactorVerified: true })
    : created;
  return signedIn(auth, user, token, session);
}

/**
 * The second step for users with 2FA: a TOTP or recovery code on a pending session (authenticated
 * with `allowPendingSecondFactor`). The session gets a new token; set the returned cookies.
 */
export async function verifySecondFactor(
  auth: AuthServices,
  caller: SessionCaller,
  code: string,
): Promise<SignedIn & { method: SecondFactorMethod; recoveryCodesLeft: number }> {
  const hit = await auth.limits.secondFactor.hit(String(caller.user.id));
  const method = await auth.twoFactor.verify(caller.user.id, code);
  await hit.release();
  const rotated = await auth.sessions.rotate(caller.session, { twoFactorVerified: true });
  const recoveryCodesLeft = await auth.twoFactor.remainingRecoveryCodes(caller.user.id);
  return { ...signedIn(auth, caller.user, rotated.token, rotated.session), method, recoveryCodesLeft };
}

/** Ends the session; returns the cookies that clear it in the browser. */
export async function logout(auth: AuthServices, caller: SessionCaller): Promise<CookieDescription[]> {
  await auth.sessions.revoke(caller.session.id);
  return auth.cookies.cleared();
}

/** Needs the current password; ends the user's other sessions and rotates this one. */
export async function changePassword(
  auth: AuthServices,
  caller: SessionCaller,
  input: { currentPassword: string; newPassword: string } & ClientInfo,
): Promise<SignedIn> {
  await reauthenticate(auth, caller, input.currentPassword, input.ip);
  await auth.passwords.setPassword(caller.user.id, input.newPassword);
  await auth.sessions.revokeAllForUser(caller.user.id, caller.session.id);
  const rotated = await auth.sessions.rotate(caller.session);
  return signedIn(auth, caller.user, rotated.token, rotated.session);
}

/** Always resolves the same way whether or not the email is known (429 aside, which is keyed the same for both). */
export async function requestPasswordReset(
  auth: AuthServices,
  input: { email: string; ip: string },
): Promise<void> {
  await auth.limits.resetRequestPerIp.hit(input.ip);
  await auth.limits.resetRequestPerEmail.hit(input.email.trim().toLowerCase());
  await auth.passwordReset.request(input.email);
}

/** Sets the new password with an emailed token; every session of the user ends. */
export async function completePasswordReset(
  auth: AuthServices,
  input: { token: string; newPassword: string; ip: string },
): Promise<void> {
  await auth.limits.resetCompletePerIp.hit(input.ip);
  await auth.passwordReset.complete(input.token, input.newPassword);
}

/** Starts TOTP enrolment for the signed-in user; show the URI as a QR code and the secret as text. */
export async function beginTotpEnrolment(auth: AuthServices, caller: SessionCaller): Promise<TotpEnrolment> {
  return auth.twoFactor.beginEnrolment(caller.user);
}

/**
 * Turns 2FA on with a first code. This session counts as verified (it just proved the factor);
 * the user's other sessions now need the second factor. Returns the recovery codes, shown once.
 */
export async function confirmTotpEnrolment(
  auth: AuthServices,
  caller: SessionCaller,
  code: string,
): Promise<SignedIn & { recoveryCodes: string[] }> {
  const hit = await auth.limits.secondFactor.hit(String(caller.user.id));
  const recoveryCodes = await auth.twoFactor.confirmEnrolment(caller.user.id, code);
  await hit.release();
  const rotated = await auth.sessions.rotate(caller.session, { twoFactorVerified: true });
  return { ...signedIn(auth, caller.user, rotated.token, rotated.session), recoveryCodes };
}

/** Turns 2FA off; needs the password. */
export async function disableTwoFactor(
  auth: AuthServices,
  caller: SessionCaller,
  input: { password: string } & ClientInfo,
): Promise<void> {
  await reauthenticate(auth, caller, input.password, input.ip);
  await auth.twoFactor.disable(caller.user.id);
}

/** New recovery codes replacing the old ones; needs the password. */
export async function regenerateRecoveryCodes(
  auth: AuthServices,
  caller: SessionCaller,
  input: { password: string } & ClientInfo,
): Promise<string[]> {
  await reauthenticate(auth, caller, input.password, input.ip);
  if (!(await auth.twoFactor.userHas2FA(caller.user.id))) {
    throw new TwoFactorStateError(
      'Two-factor authentication is off; there are no recovery codes',
      'two_factor_not_enabled',
    );
  }
  return auth.twoFactor.regenerateRecoveryCodes(caller.user.id);
}

/**
 * Only a person who has 2FA may make an organization require it (as Sentry: otherwise the one
 * turning it on would lock themselves out, and a token acting for nobody proves nothing).
 */
export async function assertMayRequireTwoFactor(auth: AuthServices, user: User | null): Promise<void> {
  if (user && (await auth.twoFactor.userHas2FA(user.id))) return;
  throw new TwoFactorStateError(
    user
      ? 'Turn on two-factor authentication for your own account before requiring it for the organization'
      : 'Only a person with two-factor authentication on their own account can require it; a service token cannot',
    'own_two_factor_required',
  );
}

/** Password check for sensitive changes, throttled like a login. */
async function reauthenticate(
  auth: AuthServices,
  caller: SessionCaller,
  password: string,
  ip: string,
): Promise<void> {
  const attempt = await auth.loginThrottle.begin(caller.user.email, ip);
  if (!(await auth.passwords.verifyPasswordOf(caller.user.id, password))) throw new InvalidCredentialsError();
  await attempt.succeeded();
}

function signedIn(auth: AuthServices, user: User, token: string, session: Session): SignedIn {
  const maxAgeSeconds = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
  return {
    user,
    session,
    cookies: [
      auth.cookies.session(token, maxAgeSeconds),
      auth.cookies.csrf(session.csrfToken, maxAgeSeconds),
    ],
    secondFactorRequired: session.pendingSecondFactor,
  };
}
