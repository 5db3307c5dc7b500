import { createFaultlineClient, ok, paginate, type FaultlineClient } from '@faultline/api-client';

/** Sentry's issue shape, as the API declares it (docs/openapi.json, through the generated client). */
export type ApiIssue = Awaited<ReturnType<ApiClient['issues']>>[number];

/** Sentry's full event shape, as the API declares it. */
export type ApiEvent = Awaited<ReturnType<ApiClient['latestEvent']>>;

/**
 * The REST API through the generated client (`@faultline/api-client`), with a bearer token: the
 * tests call the API the way the surfaces will. `client` is the typed client itself.
 */
export class ApiClient {
  readonly client: FaultlineClient;

  constructor(
    readonly baseUrl: string,
    token: string,
  ) {
    this.client = createFaultlineClient({ baseUrl, token });
  }

  /** Every issue of a project (all statuses, all time), page after page. */
  async issues(organization: string, project: string) {
    const pages = paginate((cursor) =>
      this.client.GET('/api/0/projects/{organization}/{project}/issues/', {
        params: { path: { organization, project }, query: { query: '', limit: 100, cursor } },
      }),
    );
    const issues = [];
    for await (const issue of pages) issues.push(issue);
    return issues;
  }

  /** An issue's events, newest first (the first page: up to 100). */
  events(issue: string) {
    return ok(
      this.client.GET('/api/0/issues/{issue}/events/', {
        params: { path: { issue }, query: { limit: 100 } },
      }),
    );
  }

  /** The latest event of an issue. */
  latestEvent(issue: string) {
    return ok(
      this.client.GET('/api/0/issues/{issue}/events/{event}/', {
        params: { path: { issue, event: 'latest' } },
      }),
    );
  }

  /** One event of a project, by id. */
  projectEvent(organization: string, project: string, event: string) {
    return ok(
      this.client.GET('/api/0/projects/{organization}/{project}/events/{event}/', {
        params: { path: { organization, project, event } },
      }),
    );
  }
}

/**
 * Polls `probe` until it returns something other than undefined; fails after `timeoutMs` with the
 * last thing it saw, so a test never hangs and the failure says why.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = options.describe?.() ?? (lastError ? String(lastError) : '');
      throw new Error(`Timed out waiting for ${what}${detail ? `: ${detail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sum of the issues' event counts. */
export function totalCount(issues: ApiIssue[]): number {
  return issues.reduce((sum, issue) => sum + Number(issue.count), 0);
}
