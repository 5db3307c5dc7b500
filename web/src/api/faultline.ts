/**
 * Every REST call the web UI makes, in one place, through the generated client (`api-client/`):
 * paths, parameters and answers are typed from the API's own description.
 */
import type { Schema } from '@faultline/api-client';
import { cursorOf } from './cursors';
import { call, client } from './http';

// The answers' types are those of the calls below (the generated path types), named for the pages.
export type User = Awaited<ReturnType<typeof currentUser>>;
export type SignInAnswer = Awaited<ReturnType<typeof signIn>>;
export type Organization = Awaited<ReturnType<typeof organizations>>[number];
export type Project = Awaited<ReturnType<typeof projects>>[number];
export type Issue = NonNullable<Awaited<ReturnType<typeof issueList>>['data']>[number];
export type IssueStatus = Issue['status'];
export type IssueDetails = Awaited<ReturnType<typeof issue>>;
export type IssueEvent = Awaited<ReturnType<typeof latestEvent>>;
export type EventEntry = IssueEvent['entries'][number];
/** The fields of a stack frame the pages show. */
export type Frame = Pick<
  Schema<'Frame'>,
  'filename' | 'absPath' | 'module' | 'function' | 'lineNo' | 'colNo' | 'inApp' | 'context' | 'vars'
>;
export interface ExceptionValue {
  type: string | null;
  value: string | null;
  stacktrace: { frames: Frame[] } | null;
}

export interface Page<T> {
  items: T[];
  next?: string;
  previous?: string;
}

export async function signIn(email: string, password: string) {
  return call(client.POST('/api/0/auth/login/', { body: { email, password } }));
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

export interface IssueListRequest {
  organization: string;
  project: string;
  query: string;
  cursor?: string;
  limit?: number;
}

/** One page of a project's issues, searched with the API's query syntax. */
function issueList(request: IssueListRequest) {
  return client.GET('/api/0/projects/{organization}/{project}/issues/', {
    params: {
      path: { organization: request.organization, project: request.project },
      query: { query: request.query, limit: request.limit ?? 25, cursor: request.cursor },
    },
  });
}

export async function issues(request: IssueListRequest): Promise<Page<Issue>> {
  const pending = issueList(request);
  const items = await call(pending);
  const link = (await pending).response.headers.get('Link');
  return { items, next: cursorOf(link, 'next'), previous: cursorOf(link, 'previous') };
}

export async function issue(organization: string, issueId: string) {
  return call(
    client.GET('/api/0/organizations/{organization}/issues/{issue}/', {
      params: { path: { organization, issue: issueId } },
    }),
  );
}

/** The issue's latest event, with its entries (exception chain, message…). */
export async function latestEvent(issueId: string) {
  return call(
    client.GET('/api/0/issues/{issue}/events/{event}/', {
      params: { path: { issue: issueId, event: 'latest' } },
    }),
  );
}

/** Resolve, archive (ignored, forever) or reopen an issue. */
export type IssueAction = 'resolve' | 'archive' | 'unresolve';

const ACTION_BODIES = {
  resolve: { status: 'resolved' },
  archive: { status: 'ignored', substatus: 'archived_forever' },
  unresolve: { status: 'unresolved' },
} as const;

export async function updateIssueStatus(
  organization: string,
  issueId: string,
  action: IssueAction,
): Promise<void> {
  await call(
    client.PUT('/api/0/organizations/{organization}/issues/{issue}/', {
      params: { path: { organization, issue: issueId } },
      body: ACTION_BODIES[action],
    }),
  );
}
