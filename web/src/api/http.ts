import { createFaultlineClient, FaultlineApiError, ok, type CallResult } from '@faultline/api-client';
import { reportReachable, reportUnreachable } from './connectivity';
import { ApiError, UnreachableError } from './errors';

// The pages import the errors from here too; they live apart so code without a browser can use them.
export { ApiError, UnreachableError };

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

/**
 * The generated client's transport in the browser: the session cookie (same origin), the CSRF
 * header on writes, and the connectivity banner told whether the server answered. No answer, or a
 * proxy's non-JSON 502/503/504 for a server that is down, becomes an `UnreachableError`.
 */
async function sessionFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, { ...init, credentials: 'same-origin' });
  request.headers.set('Accept', 'application/json');
  if (!SAFE_METHODS.has(request.method)) {
    const token = csrfToken();
    if (token) request.headers.set('X-CSRF-Token', token);
  }
  let response: Response;
  try {
    response = await fetch(request);
  } catch {
    reportUnreachable();
    throw new UnreachableError();
  }
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    if (!(response.headers.get('Content-Type') ?? '').includes('application/json')) {
      reportUnreachable();
      throw new UnreachableError();
    }
  }
  reportReachable();
  return response;
}

/** The one API client of the web UI: the generated one, over the session. */
export const client = createFaultlineClient({ baseUrl: window.location.origin, fetch: sessionFetch });

/** The data of a call, or an `ApiError` carrying the API's `detail` (what the pages show). */
export async function call<T>(pending: Promise<CallResult<T>>): Promise<T> {
  try {
    return await ok(pending);
  } catch (error) {
    if (error instanceof FaultlineApiError) throw new ApiError(error.status, error.detail, error.code);
    throw error;
  }
}
