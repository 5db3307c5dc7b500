/**
 * Helpers for the API's tests: a real HTTP server on a real database, accounts made with the real
 * accounts code, and events stored through the real pipeline. Nothing is mocked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pino from 'pino';
import { ADMIN_SCOPES, AccountsRepository, bootstrap, type BootstrapResult } from '../accounts';
import type { AlertActionPort } from '../alerts';
import { cookieNames, createAuthServices, PasswordHasher, type AuthServices } from '../auth';
import { loadConfig } from '../config';
import type { Logger } from '../logging';
import { Mailer } from '../mail';
import { EventPartitions } from '../db';
import { createHttpApp } from '../http';
import { PipelineWorker } from '../pipeline';
import { mountApiRoutes } from './routes';
import { ChangeStreams, HEARTBEAT_INTERVAL_MS, POLL_INTERVAL_MS } from './change-streams';
import type { ApiDependencies } from './dependencies';

/** A signed-in browser: the session cookie, and the CSRF token it echoes on writes (when given). */
export interface SessionCredential {
  session: string;
  csrf?: string;
}

/** An API token, or a session. */
export type Credential = string | SessionCredential;

export interface ApiServer {
  url: string;
  /** The authentication services the server uses (sessions, 2FA…), for tests to set up state. */
  auth: AuthServices;
  get(path: string, credential?: Credential): Promise<ApiAnswer>;
  put(path: string, body: unknown, credential?: Credential): Promise<ApiAnswer>;
  /** Any method, with an optional JSON body. */
  request(method: string, path: string, body: unknown, credential?: Credential): Promise<ApiAnswer>;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  /** Where the server logs (default: nowhere). */
  log?: Logger;
  /** Mail for password resets goes here (default: not sent). */
  smtpUrl?: string;
  onProjectKeyChanged?: (publicKey: string) => void;
  /** What alert rule actions are checked against (default: none, every action is refused). */
  alertActions?: AlertActionPort;
  /** Plugin settings behind the plugin routes (default: none, they answer 404). */
  plugins?: ApiDependencies['plugins'];
  /** Plugins' issue actions (default: none are offered). */
  issueActions?: ApiDependencies['issueActions'];
  /** Plugins' links from stack frames to their source (default: none). */
  sourceLinks?: ApiDependencies['sourceLinks'];
  /** How often open change streams re-check the caller (default: every 30 s, as in production). */
  rescopeMs?: number;
  /** Where issue searches are answered (default: the Postgres adapter). */
  issueSearch?: ApiDependencies['issueSearch'];
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body (null for an empty one). */
  body: unknown;
}

/** Cheap argon2id parameters, so suites that sign in often stay fast. */
const TEST_HASHER = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

/** `Authorization: Bearer <token>` for a token; the session cookie (and CSRF header) for a session. */
function authHeaders(credential: Credential | undefined): Record<string, string> {
  if (credential === undefined) return {};
  if (typeof credential === 'string') return { Authorization: `Bearer ${credential}` };
  return {
    Cookie: `${cookieNames('http://x').session}=${credential.session}`,
    ...(credential.csrf === undefined ? {} : { 'X-CSRF-Token': credential.csrf }),
  };
}

/** The session from a sign-in answer's Set-Cookie headers, with the CSRF token it carried. */
export function sessionFrom(answer: ApiAnswer): SessionCredential {
  const names = cookieNames('http://x');
  const cookies = new Map(
    answer.headers.getSetCookie().map((line) => {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)] as const;
    }),
  );
  const session = cookies.get(names.session);
  if (!session) throw new Error(`no session cookie in ${JSON.stringify(answer.headers.getSetCookie())}`);
  return { session, csrf: cookies.get(names.csrf) };
}

async function answerOf(response: Response): Promise<ApiAnswer> {
  // A change stream never ends: its status and headers are the answer.
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, headers: response.headers, body: null };
  }
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? null : (JSON.parse(text) as unknown),
  };
}

/** Starts the Koa app with the API mounted, on a free port; the public URL is the server's own. */
export async function startApiServer(knex: Knex, options: ApiServerOptions = {}): Promise<ApiServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ PUBLIC_URL: url, LOG_LEVEL: 'silent' });
  const log = options.log ?? pino({ level: 'silent' });
  const mailer = new Mailer({ smtpUrl: options.smtpUrl, from: 'Faultline <faultline@test>' }, log);
  const auth = createAuthServices({
    knex,
    secretKey: randomBytes(32),
    publicUrl: url,
    mailer,
    log,
    hasher: TEST_HASHER,
  });
  const changeStreams =
    options.rescopeMs === undefined
      ? new ChangeStreams(knex)
      : new ChangeStreams(knex, {
          pollMs: POLL_INTERVAL_MS,
          heartbeatMs: HEARTBEAT_INTERVAL_MS,
          rescopeMs: options.rescopeMs,
        });
  const app = createHttpApp(log, [
    (router) =>
      mountApiRoutes(router, {
        knex,
        accounts: new AccountsRepository(knex),
        config,
        auth,
        onProjectKeyChanged: options.onProjectKeyChanged,
        changeStreams,
        alertActions: options.alertActions,
        plugins: options.plugins,
        issueActions: options.issueActions,
        sourceLinks: options.sourceLinks,
        issueSearch: options.issueSearch,
        // Every API test is a contract test: an answer its route doesn't declare fails it.
        checkAnswers: true,
      }),
  ]);
  server.on('request', app.callback());
  const absolute = (path: string) => (path.startsWith('http') ? path : `${url}${path}`);
  const request = async (method: string, path: string, body: unknown, credential?: Credential) =>
    answerOf(
      await fetch(absolute(path), {
        method: method.toUpperCase(),
        headers: {
          ...authHeaders(credential),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  return {
    request,
    url,
    auth,
    get: async (path, credential) =>
      answerOf(await fetch(absolute(path), { headers: authHeaders(credential) })),
    put: async (path, body, credential) => request('put', path, body, credential),
    close: async () => {
      mailer.close();
      changeStreams.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The team `seedAccount` puts an organization's first project in. */
const teamOf = (organization: string) => `${organization}-team`;

/** An organization with one project and an owner holding an all-scopes token. */
export async function seedAccount(
  knex: Knex,
  names: { organization: string; project: string; email: string },
): Promise<BootstrapResult & { userId: number }> {
  const result = await bootstrap(knex, {
    organization: names.organization,
    team: teamOf(names.organization),
    project: names.project,
    platform: 'javascript',
    email: names.email,
    publicUrl: 'http://127.0.0.1:9',
  });
  const user = await new AccountsRepository(knex).ensureUser(names.email, false);
  return { ...result, userId: user.id };
}

/** Another project of a seeded organization, on the team `seedAccount` made; its id. */
export async function seedProject(
  knex: Knex,
  names: { organization: string; project: string; platform: string },
): Promise<number> {
  const accounts = new AccountsRepository(knex);
  const org = await accounts.ensureOrganization(names.organization, names.organization);
  const team = await accounts.ensureTeam(org.id, teamOf(names.organization));
  return (await accounts.ensureProject(org.id, team.id, names.project, names.platform)).id;
}

/**
 * Where most API suites start: organization `acme` with project `app`, its owner `owner@acme.io`
 * holding an all-scopes token, and the API server on the suite's database (close it after).
 */
export async function startSeededApi(
  knex: Knex,
): Promise<{ api: ApiServer; token: string; projectId: number }> {
  const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
  return { api: await startApiServer(knex), token: seeded.token, projectId: seeded.projectId };
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
