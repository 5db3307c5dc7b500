import { httpRequest } from './http';

/** The fields of Sentry's issue list/detail answers the tests look at. */
export interface ApiIssue {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  level: string;
  status: string;
  type: string;
  /** Sentry sends the event count as a string. */
  count: string;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  isUnhandled?: boolean;
  metadata?: Record<string, unknown>;
}

export interface ApiFrame {
  filename?: string | null;
  absPath?: string | null;
  function?: string | null;
  module?: string | null;
  lineNo?: number | null;
  context?: [number, string][];
  inApp?: boolean | null;
}

export interface ApiEntry {
  type: string;
  data: {
    values?: {
      type?: string | null;
      value?: string | null;
      stacktrace?: { frames: ApiFrame[] } | null;
      mechanism?: Record<string, unknown> | null;
    }[];
    [key: string]: unknown;
  };
}

export interface ApiEvent {
  id: string;
  eventID: string;
  groupID?: string;
  title?: string;
  message?: string;
  dateCreated?: string;
  tags?: { key: string; value: string }[];
  entries?: ApiEntry[];
}

/** A REST API client for `/api/0` with a bearer token. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async get<T>(path: string): Promise<T> {
    const res = await httpRequest(`${this.baseUrl}/api/0${path}`, {
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
    });
    if (res.status !== 200)
      throw new Error(`GET /api/0${path} answered ${res.status}: ${res.text().slice(0, 500)}`);
    return res.json<T>();
  }

  /** Every issue of a project (all statuses, all time). */
  issues(organization: string, project: string): Promise<ApiIssue[]> {
    return this.get<ApiIssue[]>(`/projects/${organization}/${project}/issues/?query=&limit=100`);
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
