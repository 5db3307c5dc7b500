import { reportReachable, reportUnreachable } from './connectivity';

/** An answer of the API that was not a success: its status and the API's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: string | undefined,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

/** The server did not answer at all (down, restarting, network gone). */
export class UnreachableError extends Error {
  constructor() {
    super('The Faultline server cannot be reached.');
    this.name = 'UnreachableError';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The CSRF token sign-in left in a script-readable cookie (`faultline_csrf`, `__Host-`-prefixed
 * behind https). Read on every write, since signing in again or 2FA rotates it.
 */
function csrfToken(): string | undefined {
  for (const pair of document.cookie.split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === 'faultline_csrf' || name === '__Host-faultline_csrf') return value.join('=');
  }
  return undefined;
}

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
}

/**
 * One call of the REST API with the session cookie; writes carry the CSRF header. A non-2xx answer
 * becomes an `ApiError` with the API's `detail`; no answer becomes an `UnreachableError`, and the
 * connectivity banner hears of both.
 */
export async function apiRequest<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE_METHODS.has(method)) {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let response: Response;
  try {
    response = await fetch(`/api/0${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    reportUnreachable();
    throw new UnreachableError();
  }
  // A proxy in front answering for a server that is down is no answer of Faultline's either.
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    const type = response.headers.get('Content-Type') ?? '';
    if (!type.includes('application/json')) {
      reportUnreachable();
      throw new UnreachableError();
    }
  }
  reportReachable();
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const error = (parsed ?? {}) as { detail?: unknown; code?: unknown };
    const detail =
      typeof error.detail === 'string'
        ? error.detail
        : `The server answered ${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, detail, typeof error.code === 'string' ? error.code : undefined);
  }
  return { body: parsed as T, headers: response.headers };
}

/** The cursor of the `rel="next"` link of Sentry's `Link` header, when that page has results. */
export function cursorOf(link: string | null, rel: 'next' | 'previous'): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,\s*(?=<)/)) {
    if (!part.includes(`rel="${rel}"`) || !part.includes('results="true"')) continue;
    return /cursor="([^"]+)"/.exec(part)?.[1];
  }
  return undefined;
}
