/**
 * The calls of your own account's security settings (password, second factor), through the
 * generated client. They need a signed-in session: the API refuses them to tokens.
 */
import { call, client } from './http';

export type TotpEnrolment = Awaited<ReturnType<typeof beginTotpEnrolment>>;

/** Changes the password; the API ends your other sessions and renews this one's cookies. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await call(client.PUT('/api/0/auth/password/', { body: { currentPassword, newPassword } }));
}

/** A new TOTP secret and its otpauth:// URI; 2FA stays off until a first code confirms it. */
export async function beginTotpEnrolment() {
  return call(client.POST('/api/0/users/me/2fa/totp/'));
}

/** Turns 2FA on with a first code; answers the recovery codes, which are never shown again. */
export async function confirmTotpEnrolment(code: string): Promise<string[]> {
  const answer = await call(client.POST('/api/0/users/me/2fa/totp/confirm/', { body: { code } }));
  return answer.recoveryCodes;
}

/** Turns 2FA off; the API asks for the password, so a session left open can't do it alone. */
export async function disableTwoFactor(password: string): Promise<void> {
  await call(client.DELETE('/api/0/users/me/2fa/', { body: { password } }));
}

/** Replaces the recovery codes (the old ones stop working); the new ones are never shown again. */
export async function regenerateRecoveryCodes(password: string): Promise<string[]> {
  const answer = await call(client.POST('/api/0/users/me/2fa/recovery-codes/', { body: { password } }));
  return answer.recoveryCodes;
}

export type AccountSession = Awaited<ReturnType<typeof sessions>>[number];

/** Your signed-in sessions, most recently used first; `current` is this browser's. */
export async function sessions() {
  return call(client.GET('/api/0/users/me/sessions/'));
}

/** Ends one of your other sessions (this one ends by signing out). */
export async function endSession(sessionId: string): Promise<void> {
  await call(client.DELETE('/api/0/users/me/sessions/{sessionId}/', { params: { path: { sessionId } } }));
}

/** Signs out everywhere else; answers how many sessions ended. */
export async function endOtherSessions(): Promise<number> {
  return (await call(client.DELETE('/api/0/users/me/sessions/'))).ended;
}
