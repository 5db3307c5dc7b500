/**
 * Every REST call the web UI makes, in one place: when the generated client (`api-client/`) lands,
 * this module is the one to switch to it. Shapes are the API's own (Sentry's field names).
 */
import { apiRequest, cursorOf } from './http';

export interface User {
  id: string;
  email: string;
  name: string;
  isSuperuser: boolean;
  has2fa: boolean;
}

export interface SignInAnswer {
  user: User;
  secondFactorRequired: boolean;
}

export interface Organization {
  id: string;
  slug: string;
  name: string;
}

export interface Project {
  id: string;
  slug: string;
  name: string;
  platform: string | null;
}

export type IssueStatus = 'unresolved' | 'resolved' | 'ignored';

export interface Issue {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  level: string;
  status: IssueStatus;
  substatus: string | null;
  count: string;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  isRegression: boolean;
  project: { id: string; slug: string; name: string };
}

export interface Page<T> {
  items: T[];
  next?: string;
  previous?: string;
}

export async function signIn(email: string, password: string): Promise<SignInAnswer> {
  return (await apiRequest<SignInAnswer>('POST', '/auth/login/', { email, password })).body;
}

/** A TOTP code or a recovery code, after a sign-in that said `secondFactorRequired`. */
export async function verifySecondFactor(code: string): Promise<void> {
  await apiRequest('POST', '/auth/2fa/verify/', { code });
}

export async function signOut(): Promise<void> {
  await apiRequest('POST', '/auth/logout/');
}

export async function completePasswordReset(token: string, newPassword: string): Promise<void> {
  await apiRequest('POST', '/auth/password-reset/complete/', { token, newPassword });
}

export async function currentUser(): Promise<User> {
  return (await apiRequest<User>('GET', '/users/me/')).body;
}

export async function organizations(): Promise<Organization[]> {
  return (await apiRequest<Organization[]>('GET', '/organizations/')).body;
}

export async function projects(organization: string): Promise<Project[]> {
  return (await apiRequest<Project[]>('GET', `/organizations/${encodeURIComponent(organization)}/projects/`))
    .body;
}

export interface IssueListRequest {
  organization: string;
  project: string;
  query: string;
  cursor?: string;
  limit?: number;
}

/** One page of a project's issues, searched with the API's query syntax. */
export async function issues(request: IssueListRequest): Promise<Page<Issue>> {
  const params = new URLSearchParams({ query: request.query, limit: String(request.limit ?? 25) });
  if (request.cursor) params.set('cursor', request.cursor);
  const path = `/projects/${encodeURIComponent(request.organization)}/${encodeURIComponent(request.project)}/issues/?${params}`;
  const { body, headers } = await apiRequest<Issue[]>('GET', path);
  const link = headers.get('Link');
  return { items: body, next: cursorOf(link, 'next'), previous: cursorOf(link, 'previous') };
}

export interface IssueDetails extends Issue {
  firstRelease: { version: string } | null;
}

export interface Frame {
  filename: string | null;
  absPath: string | null;
  module: string | null;
  function: string | null;
  lineNo: number | null;
  colNo: number | null;
  inApp: boolean;
  /** `[line number, source line]` around the frame's line. */
  context: [number, string][];
  vars: Record<string, unknown> | null;
}

export interface ExceptionValue {
  type: string | null;
  value: string | null;
  stacktrace: { frames: Frame[] } | null;
}

export type EventEntry =
  | { type: 'exception'; data: { values: ExceptionValue[] } }
  | { type: 'message'; data: { formatted: string } }
  | { type: string; data: unknown };

export interface IssueEvent {
  id: string;
  eventID: string;
  dateCreated: string;
  title: string;
  entries: EventEntry[];
  tags: { key: string; value: string }[];
}

const issuePath = (organization: string, issueId: string) =>
  `/organizations/${encodeURIComponent(organization)}/issues/${encodeURIComponent(issueId)}/`;

export async function issue(organization: string, issueId: string): Promise<IssueDetails> {
  return (await apiRequest<IssueDetails>('GET', issuePath(organization, issueId))).body;
}

/** The issue's latest event, with its entries (exception chain, message…). */
export async function latestEvent(issueId: string): Promise<IssueEvent> {
  return (await apiRequest<IssueEvent>('GET', `/issues/${encodeURIComponent(issueId)}/events/latest/`)).body;
}

/** Resolve, archive (ignored, forever) or reopen an issue; answers the issue as it now is. */
export type IssueAction = 'resolve' | 'archive' | 'unresolve';

const ACTION_BODIES: Record<IssueAction, { status: IssueStatus; substatus?: string | null }> = {
  resolve: { status: 'resolved' },
  archive: { status: 'ignored', substatus: 'archived_forever' },
  unresolve: { status: 'unresolved' },
};

export async function updateIssueStatus(
  organization: string,
  issueId: string,
  action: IssueAction,
): Promise<void> {
  await apiRequest('PUT', issuePath(organization, issueId), ACTION_BODIES[action]);
}
