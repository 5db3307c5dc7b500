/**
 * The web UI's REST calls, through the generated client (`api-client/`): paths, parameters and
 * answers are typed from the API's own description. Sign-in, the session and organizations are
 * here; the issue list's and the issue page's calls are in `issues.ts`.
 */
import { call, client } from './http';

// The answers' types are those of the calls below (the generated path types), named for the pages.
export type User = Awaited<ReturnType<typeof currentUser>>;
export type SignInAnswer = Awaited<ReturnType<typeof signIn>>;
export type Organization = Awaited<ReturnType<typeof organizations>>[number];
export type Project = Awaited<ReturnType<typeof projects>>[number];

export async function signIn(email: string, password: string) {
  return call(client.POST('/api/0/auth/login/', { body: { email, password } }));
}

/** Whether the organization's sign-in page offers single sign-on, and through which provider. */
export async function signInOptions(organization: string) {
  return call(client.GET('/api/0/auth/sign-in/{organization}/', { params: { path: { organization } } }));
}

/** A TOTP code or a recovery code, after a sign-in that said `secondFactorRequired`. */
export async function verifySecondFactor(code: string): Promise<void> {
  await call(client.POST('/api/0/auth/2fa/verify/', { body: { code } }));
}

export async function signOut(): Promise<void> {
  await call(client.POST('/api/0/auth/logout/'));
}

export async function completePasswordReset(token: string, newPassword: string): Promise<void> {
  await call(client.POST('/api/0/auth/password-reset/complete/', { body: { token, newPassword } }));
}

export async function currentUser() {
  return call(client.GET('/api/0/users/me/'));
}

export async function organizations() {
  return call(client.GET('/api/0/organizations/'));
}

export async function projects(organization: string) {
  return call(
    client.GET('/api/0/organizations/{organization}/projects/', { params: { path: { organization } } }),
  );
}
