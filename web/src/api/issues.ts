/**
 * The REST calls of the issue list and the issue page, through the generated client: issues,
 * their events, tags and comments, and the organization's members to assign to.
 */
import type { Schema } from '@faultline/api-client';
import { call, client } from './http';
import { paged, type Page } from './paged';

// The answers' types are those of the calls (the generated path types), named for the pages.
export type Issue = NonNullable<Awaited<ReturnType<typeof issueList>>['data']>[number];
export type IssueStatus = Issue['status'];
export type IssueDetails = Awaited<ReturnType<typeof issue>>;
export type IssueEvent = NonNullable<Awaited<ReturnType<typeof eventCall>>['data']>;
/** An item of an issue's event list (a summary; a full event has the same fields and more). */
export type EventSummary = NonNullable<Awaited<ReturnType<typeof eventListCall>>['data']>[number];
export type EventEntry = IssueEvent['entries'][number];
export type TagKey = Awaited<ReturnType<typeof issueTags>>[number];
export type Comment = Awaited<ReturnType<typeof comments>>[number];
/** The fields of a stack frame the pages show. */
export type Frame = Pick<
  Schema<'Frame'>,
  | 'filename'
  | 'absPath'
  | 'module'
  | 'function'
  | 'lineNo'
  | 'colNo'
  | 'inApp'
  | 'context'
  | 'vars'
  | 'sourceLink'
>;
export interface ExceptionValue {
  type: string | null;
  value: string | null;
  stacktrace: { frames: Frame[] } | null;
}

export type { Page } from './paged';

/** The list's orders, as the API names them. */
export type IssueSort = 'date' | 'new' | 'freq' | 'user';

/** The span of the rows' sparklines: the last 24 hours or 14 days. */
export type StatsPeriod = '24h' | '14d';

export interface IssueListRequest {
  organization: string;
  project: string;
  query: string;
  sort: IssueSort;
  environment?: string;
  statsPeriod: StatsPeriod;
  cursor?: string;
  limit?: number;
}

function issueList(request: IssueListRequest) {
  return client.GET('/api/0/projects/{organization}/{project}/issues/', {
    params: {
      path: { organization: request.organization, project: request.project },
      query: {
        query: request.query,
        sort: request.sort,
        statsPeriod: request.statsPeriod,
        environment: request.environment ? [request.environment] : undefined,
        limit: request.limit ?? 25,
        cursor: request.cursor,
      },
    },
  });
}

/** One page of a project's issues, searched with the API's query syntax. */
export async function issues(request: IssueListRequest): Promise<Page<Issue>> {
  return paged(issueList(request));
}

export async function issue(organization: string, issueId: string) {
  return call(
    client.GET('/api/0/organizations/{organization}/issues/{issue}/', {
      params: { path: { organization, issue: issueId } },
    }),
  );
}

export async function members(organization: string) {
  return call(
    client.GET('/api/0/organizations/{organization}/members/', {
      params: { path: { organization }, query: { limit: 100 } },
    }),
  );
}

function eventCall(issueId: string, eventId: string) {
  return client.GET('/api/0/issues/{issue}/events/{event}/', {
    params: { path: { issue: issueId, event: eventId } },
  });
}

/** One event of an issue: `latest`, `oldest`, or an event id. */
export async function issueEvent(issueId: string, eventId: string): Promise<IssueEvent> {
  return call(eventCall(issueId, eventId));
}

function eventListCall(issueId: string, cursor: string | undefined) {
  return client.GET('/api/0/issues/{issue}/events/', {
    params: { path: { issue: issueId }, query: { cursor, limit: 10 } },
  });
}

/** A page of an issue's events, newest first, as summaries. */
export async function issueEvents(issueId: string, cursor?: string): Promise<Page<EventSummary>> {
  return paged(eventListCall(issueId, cursor));
}

export async function issueTags(issueId: string) {
  return call(client.GET('/api/0/issues/{issue}/tags/', { params: { path: { issue: issueId } } }));
}

/** What a person can do to issues: the state changes and the assignment, alone or in bulk. */
export type IssueChange =
  { action: 'resolve' | 'archive' | 'unresolve' } | { action: 'assign'; assignedTo: string | null };

function changeBody(change: IssueChange) {
  switch (change.action) {
    case 'resolve':
      return { status: 'resolved' } as const;
    case 'archive':
      return { status: 'ignored', substatus: 'archived_forever' } as const;
    case 'unresolve':
      return { status: 'unresolved' } as const;
    case 'assign':
      return { assignedTo: change.assignedTo };
  }
}

export async function changeIssue(organization: string, issueId: string, change: IssueChange) {
  await call(
    client.PUT('/api/0/organizations/{organization}/issues/{issue}/', {
      params: { path: { organization, issue: issueId } },
      body: changeBody(change),
    }),
  );
}

/** Sentry's bulk update on the list's route: every issue given by id, in one request. */
export async function changeIssues(
  organization: string,
  project: string,
  ids: string[],
  change: IssueChange,
): Promise<void> {
  await call(
    client.PUT('/api/0/projects/{organization}/{project}/issues/', {
      params: { path: { organization, project }, query: { id: ids.map(Number) } },
      body: changeBody(change),
    }),
  );
}

export async function comments(issueId: string) {
  return call(client.GET('/api/0/issues/{issue}/comments/', { params: { path: { issue: issueId } } }));
}

export async function addComment(issueId: string, text: string): Promise<void> {
  await call(
    client.POST('/api/0/issues/{issue}/comments/', { params: { path: { issue: issueId } }, body: { text } }),
  );
}

export async function editComment(issueId: string, commentId: string, text: string): Promise<void> {
  await call(
    client.PUT('/api/0/issues/{issue}/comments/{comment}/', {
      params: { path: { issue: issueId, comment: commentId } },
      body: { text },
    }),
  );
}

export async function deleteComment(issueId: string, commentId: string): Promise<void> {
  await call(
    client.DELETE('/api/0/issues/{issue}/comments/{comment}/', {
      params: { path: { issue: issueId, comment: commentId } },
    }),
  );
}

/** What plugins linked to the issue: another system's issues, posted Slack cards. */
export async function externalIssues(issueId: string) {
  return call(client.GET('/api/0/issues/{issue}/external-issues/', { params: { path: { issue: issueId } } }));
}

/** What was done to the issue, newest first: who, what, through which surface. */
export async function activity(issueId: string) {
  return (
    await call(client.GET('/api/0/issues/{issue}/activities/', { params: { path: { issue: issueId } } }))
  ).activity;
}

/** The plugins' actions offered on the issue, each with its input form as JSON Schema. */
export async function issueActions(issueId: string) {
  return call(client.GET('/api/0/issues/{issue}/actions/', { params: { path: { issue: issueId } } }));
}

/** Runs a plugin's action on the issue as the signed-in person. */
export async function runIssueAction(
  issueId: string,
  action: { plugin: string; id: string },
  input: Record<string, unknown>,
) {
  return call(
    client.POST('/api/0/issues/{issue}/actions/{plugin}/{action}/', {
      params: { path: { issue: issueId, plugin: action.plugin, action: action.id } },
      body: { input },
    }),
  );
}

/** The environments the project's events came from, for the issue list's filter. */
export async function environments(organization: string, project: string): Promise<string[]> {
  const list = await call(
    client.GET('/api/0/projects/{organization}/{project}/environments/', {
      params: { path: { organization, project } },
    }),
  );
  return list.map((environment) => environment.name);
}
