/**
 * Helpers for the API's tests: a real HTTP server on a real database, accounts made with the real
 * accounts code, and events stored through the real pipeline. Nothing is mocked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pino from 'pino';
import { ADMIN_SCOPES, AccountsRepository, bootstrap, type BootstrapResult } from '../accounts';
import { loadConfig } from '../config';
import { EventPartitions } from '../db';
import { createHttpApp } from '../http';
import { PipelineWorker } from '../pipeline';
import { mountApiRoutes } from './routes';

export interface ApiServer {
  url: string;
  get(path: string, token?: string): Promise<ApiAnswer>;
  put(path: string, body: unknown, token?: string): Promise<ApiAnswer>;
  /** Any method, with an optional JSON body. */
  request(method: string, path: string, body: unknown, token?: string): Promise<ApiAnswer>;
  close(): Promise<void>;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body (null for an empty one). */
  body: unknown;
}

/** `Authorization: Bearer <token>` when a token is given. */
function authHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { Authorization: `Bearer ${token}` };
}

async function answerOf(response: Response): Promise<ApiAnswer> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? null : (JSON.parse(text) as unknown),
  };
}

/** Starts the Koa app with the API mounted, on a free port; the public URL is the server's own. */
export async function startApiServer(knex: Knex): Promise<ApiServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ PUBLIC_URL: url, LOG_LEVEL: 'silent' });
  const app = createHttpApp(pino({ level: 'silent' }), [
    (router) => mountApiRoutes(router, { knex, accounts: new AccountsRepository(knex), config }),
  ]);
  server.on('request', app.callback());
  const absolute = (path: string) => (path.startsWith('http') ? path : `${url}${path}`);
  const request = async (method: string, path: string, body: unknown, token?: string) =>
    answerOf(
      await fetch(absolute(path), {
        method: method.toUpperCase(),
        headers: {
          ...authHeaders(token),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  return {
    request,
    url,
    get: async (path, token) => answerOf(await fetch(absolute(path), { headers: authHeaders(token) })),
    put: async (path, body, token) =>
      answerOf(
        await fetch(absolute(path), {
          method: 'PUT',
          headers: { ...authHeaders(token), 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An organization with one project and an owner holding an all-scopes token. */
export async function seedAccount(
  knex: Knex,
  names: { organization: string; project: string; email: string },
): Promise<BootstrapResult & { userId: number }> {
  const result = await bootstrap(knex, {
    organization: names.organization,
    team: `${names.organization}-team`,
    project: names.project,
    platform: 'javascript',
    email: names.email,
    publicUrl: 'http://127.0.0.1:9',
  });
  const user = await new AccountsRepository(knex).ensureUser(names.email, false);
  return { ...result, userId: user.id };
}

/** A token for an existing user with just these scopes. */
export async function tokenWithScopes(knex: Knex, email: string, scopes: string[]): Promise<string> {
  const accounts = new AccountsRepository(knex);
  const user = await accounts.ensureUser(email, false);
  return accounts.createToken(user.id, `scoped ${scopes.join(' ')}`, scopes);
}

export { ADMIN_SCOPES };

export interface ErrorEventOptions {
  type: string;
  value: string;
  level?: string;
  /** Events with the same function and file group together. */
  functionName?: string;
  user?: Record<string, string>;
  tags?: Record<string, string>;
  environment?: string;
  release?: string;
  message?: string;
}

/** A JavaScript error event as a Sentry SDK sends it, with one in-app and one library frame. */
export function errorEvent(options: ErrorEventOptions): Record<string, unknown> {
  const fn = options.functionName ?? 'handler';
  return {
    event_id: randomUUID().replace(/-/g, ''),
    platform: 'javascript',
    level: options.level ?? 'error',
    environment: options.environment ?? 'production',
    ...(options.release ? { release: options.release } : {}),
    ...(options.message ? { message: options.message } : {}),
    exception: {
      values: [
        {
          type: options.type,
          value: options.value,
          mechanism: { type: 'onerror', handled: false },
          stacktrace: {
            frames: [
              {
                filename: 'node_modules/lib/index.js',
                function: 'dispatch',
                lineno: 10,
                colno: 3,
                in_app: false,
              },
              {
                filename: `src/${fn}.js`,
                abs_path: `/app/src/${fn}.js`,
                function: fn,
                lineno: 42,
                colno: 7,
                in_app: true,
                pre_context: ['function go() {'],
                context_line: `  ${fn}();`,
                post_context: ['}'],
              },
            ],
          },
        },
      ],
    },
    breadcrumbs: {
      values: [{ timestamp: Date.now() / 1000 - 5, category: 'console', message: 'about to fail' }],
    },
    request: {
      url: 'https://shop.example/cart?step=2#top',
      method: 'POST',
      query_string: 'step=2',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'test' },
    },
    user: options.user,
    tags: options.tags,
    sdk: { name: 'sentry.javascript.node', version: '8.0.0' },
    contexts: { runtime: { name: 'node', version: '20.0.0' } },
  };
}

/**
 * Queues the payloads as ingestion would and runs the pipeline until the queue is empty. Payloads
 * are received one second apart, oldest first, ending `endSecondsAgo` ago; each payload's own
 * timestamp is its receive time.
 */
export async function storeEvents(
  knex: Knex,
  projectId: number,
  payloads: Record<string, unknown>[],
  endSecondsAgo = 0,
): Promise<void> {
  const end = Date.now() - endSecondsAgo * 1000;
  const rows = payloads.map((payload, i) => {
    const receivedAt = new Date(end - (payloads.length - 1 - i) * 1000);
    return {
      project_id: projectId,
      received_at: receivedAt,
      event_id: String(payload.event_id),
      payload: JSON.stringify({ timestamp: receivedAt.getTime() / 1000, ...payload }),
    };
  });
  await knex('raw_events').insert(rows);
  const worker = new PipelineWorker(knex, new EventPartitions(knex), pino({ level: 'silent' }), {
    batchSize: 100,
    concurrency: 1,
  });
  await worker.drain();
}

export interface LinkTarget {
  url: string;
  results: boolean;
  cursor: string;
}

/** Reads Sentry's `Link` header into its previous and next targets. */
export function parseLinkHeader(header: string | null): { previous: LinkTarget; next: LinkTarget } {
  const targets = new Map<string, LinkTarget>();
  for (const part of (header ?? '').split(/,\s*(?=<)/)) {
    const match = /^<([^>]+)>; rel="(\w+)"; results="(true|false)"; cursor="([^"]+)"$/.exec(part.trim());
    if (match) targets.set(match[2], { url: match[1], results: match[3] === 'true', cursor: match[4] });
  }
  const previous = targets.get('previous');
  const next = targets.get('next');
  if (!previous || !next) throw new Error(`Link header lacks previous/next: ${header}`);
  return { previous, next };
}
