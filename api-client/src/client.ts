import createClient, { type Client } from 'openapi-fetch';
import { FaultlineApiError } from './errors';
import type { paths } from './generated/schema';

export interface ClientOptions {
  /** Where Faultline answers, e.g. `https://faultline.example.com` (no `/api/0`). */
  baseUrl: string;
  /** An API token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Another fetch (a test's, a proxy's); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** The typed client: `client.GET('/api/0/issues/{issue}/', { params: { path: { issue } } })`. */
export type FaultlineClient = Client<paths>;

export function createFaultlineClient(options: ClientOptions): FaultlineClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { token } = options;
  if (token !== undefined) {
    client.use({
      onRequest({ request }) {
        request.headers.set('Authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}

/** What every call of the client resolves to (openapi-fetch's `FetchResponse`, loosely). */
export interface CallResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The data of a successful call, or a `FaultlineApiError` with the answer's status, code and
 * detail: `const issue = await ok(client.GET(...))`.
 */
export async function ok<T>(call: Promise<CallResult<T>> | CallResult<T>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw await FaultlineApiError.from(response, error);
  return data as T;
}
