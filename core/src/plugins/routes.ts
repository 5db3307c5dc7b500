import type Router from '@koa/router';
import type { Context } from 'koa';
import type { PluginRequest, PluginResponse } from '@faultline/plugin-sdk';
import type { Logger } from '../logging';
import { PayloadTooLargeError } from '../errors';
import { readRawBody } from '../http';
import { signedInRequests, type PluginRoutes } from './services';

/** Where plugin routes live; everything after the plugin id is the plugin's own path. */
export const PLUGIN_ROUTE_PREFIX = '/api/0/plugins/';

export interface PluginRouteOptions {
  /** Largest request body a plugin route accepts; a larger one is a 413 before the plugin runs. */
  bodyLimitBytes: number;
  /** A client that sends no byte of the body for this long gets a 408 (unset: no limit). */
  bodyIdleTimeoutMs?: number;
  /** How long a handler may take; after that the caller gets a 504 (the handler is not awaited). */
  timeoutMs: number;
  log: Logger;
  /**
   * Runs plugin code isolated under the host's time budget (`PluginHost.runIsolated`: the plugin's
   * thread, or the Sandbox); by default the handler is simply called. A `PluginTimeoutError` (code
   * `plugin_timeout`) from it is a 504, as is our own deadline.
   */
  isolate?: <T>(pluginId: string, call: () => T | Promise<T>, timeoutMs: number) => Promise<T>;
  /** `config.http.publicUrl`, given to handlers as `request.publicUrl`. */
  publicUrl: string;
  /**
   * The user of the request's session cookie, when fully signed in (asked on GET and HEAD only, so a
   * cross-site form can't make a signed-in request of another method). Unset: no route is signed in.
   */
  signedInUser?: (ctx: Context) => Promise<number | undefined>;
}

/** An answer in the REST API's error shape. */
function answerError(ctx: Context, status: number, code: string, detail: string): void {
  ctx.status = status;
  ctx.body = { detail, code };
}

/** The path below `/api/0/plugins/{id}` (`/` for the prefix itself). */
function pluginPath(fullPath: string): string {
  const rest = fullPath.slice(PLUGIN_ROUTE_PREFIX.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? '/' : rest.slice(slash);
}

/**
 * The caller's credentials for Faultline itself: a plugin route is not Faultline's API, so its code
 * never sees them (a plugin could otherwise act as whoever called it).
 */
const WITHHELD_REQUEST_HEADERS = new Set(['cookie', 'authorization', 'proxy-authorization']);

/**
 * Set on every answer of a plugin route, over whatever the plugin set: plugin routes share the API's
 * origin, so a plugin must not serve active content there (a page with script could act with the
 * visitor's session) nor have a response sniffed into HTML.
 */
const RESPONSE_SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
} as const;

function pluginRequest(
  ctx: Context,
  path: string,
  rawBody: Buffer,
  extra: Pick<PluginRequest, 'publicUrl' | 'signedIn'>,
): PluginRequest {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.query)) {
    // A repeated parameter: the last value, as the REST API reads single parameters.
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) query[name] = last;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || WITHHELD_REQUEST_HEADERS.has(lower)) continue;
    headers[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: ctx.method, path, query, headers, rawBody, ...extra };
}

/** Writes the plugin's answer; returns whether it tried to set a cookie (which is dropped). */
function send(ctx: Context, response: PluginResponse | undefined): { droppedCookie: boolean } {
  const { status, headers, body } = response ?? {};
  let droppedCookie = false;
  for (const [name, value] of Object.entries(headers ?? {})) {
    // Cookies on the API's origin are Faultline's: a plugin could otherwise plant or overwrite them.
    if (name.toLowerCase() === 'set-cookie') droppedCookie = true;
    else ctx.set(name, String(value));
  }
  ctx.set(RESPONSE_SECURITY_HEADERS);
  if (body === undefined || body === null) {
    ctx.body = '';
    ctx.status = status ?? 204;
    return { droppedCookie };
  }
  const raw = typeof body === 'string' || Buffer.isBuffer(body);
  const declaredType = Object.keys(headers ?? {}).find((name) => name.toLowerCase() === 'content-type');
  ctx.body = raw ? body : JSON.stringify(body);
  // Setting a string body makes Koa guess a type; the plugin's own header, or JSON, wins.
  if (declaredType) ctx.set('Content-Type', String(headers![declaredType]));
  else if (!raw) ctx.type = 'application/json';
  ctx.status = status ?? 200;
  return { droppedCookie };
}

const TIMED_OUT = Symbol('timed out');

/**
 * Serves plugins' routes under `/api/0/plugins/{id}/…` on the host's router. Faultline does not
 * authenticate these requests: each route checks its caller itself (a signature over the raw body,
 * a shared secret), except that a GET learns who is signed in (`request.signedIn`); the caller's `Cookie`, `Authorization` and `Proxy-Authorization` headers are not
 * passed on, a `Set-Cookie` in the answer is dropped, and every answer is `nosniff` with a sandboxing
 * Content-Security-Policy. A missing plugin or route is a 404, a body over the limit a 413, a handler that
 * runs out of time a 504 and one that throws a 500 with a generic message (details in the log):
 * a plugin can't take the server down or hold a request forever.
 */
export function mountPluginRoutes(
  router: Router,
  routesOf: (pluginId: string) => PluginRoutes | undefined,
  options: PluginRouteOptions,
): void {
  /** Plugins already warned about for setting a cookie: the warning is logged once per plugin. */
  const warnedAboutCookies = new Set<string>();
  router.all(`${PLUGIN_ROUTE_PREFIX}:pluginId{/*rest}`, async (ctx) => {
    const pluginId = ctx.params.pluginId;
    // Error answers too: nothing under this prefix is active content.
    ctx.set(RESPONSE_SECURITY_HEADERS);
    const path = pluginPath(ctx.path);
    const routes = routesOf(pluginId);
    const handler = routes?.find(ctx.method, path);
    if (!routes || !handler) {
      const allowed = routes?.methodsOf(path) ?? [];
      if (allowed.length > 0) {
        ctx.set('Allow', allowed.join(', '));
        return answerError(
          ctx,
          405,
          'method_not_allowed',
          `${path} of plugin ${pluginId} does not take ${ctx.method}`,
        );
      }
      return answerError(ctx, 404, 'no_route', `No route for ${ctx.method} ${ctx.path}`);
    }

    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(ctx.req, options.bodyLimitBytes, {
        tooLargeMessage: `Request bodies of plugin routes are limited to ${options.bodyLimitBytes} bytes`,
        idleTimeoutMs: options.bodyIdleTimeoutMs,
      });
    } catch (error) {
      if (!(error instanceof PayloadTooLargeError)) throw error;
      // The rest of the body is left unread; closing the connection discards it.
      ctx.set('Connection', 'close');
      return answerError(ctx, error.status, error.code, error.message);
    }

    const log = options.log.child({ plugin: pluginId });
    const signedInUserId =
      options.signedInUser && (ctx.method === 'GET' || ctx.method === 'HEAD')
        ? await options.signedInUser(ctx)
        : undefined;
    const proof = signedInUserId === undefined ? undefined : signedInRequests.begin(signedInUserId);
    const request = pluginRequest(ctx, path, rawBody, {
      publicUrl: options.publicUrl.replace(/\/+$/, ''),
      ...(proof === undefined ? {} : { signedIn: { userId: String(signedInUserId), proof } }),
    });
    const call = () => handler(request);
    // An async function, so a handler that throws at once rejects like one that throws later.
    const running = (async () =>
      options.isolate ? options.isolate(pluginId, call, options.timeoutMs) : call())();
    // Either our deadline or the isolating runner's own (a PluginTimeoutError) may fire first.
    const timedOut = () => {
      log.warn({ method: ctx.method, path, timeoutMs: options.timeoutMs }, 'plugin route timed out');
      answerError(
        ctx,
        504,
        'plugin_timeout',
        `Plugin ${pluginId} did not answer within ${options.timeoutMs} ms`,
      );
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), options.timeoutMs);
    });
    try {
      const outcome = await Promise.race([running, deadline]);
      if (outcome === TIMED_OUT) {
        // Whatever the handler does later is only logged.
        running.catch((error: unknown) =>
          log.warn({ err: error, path }, 'plugin route failed after its time limit'),
        );
        return timedOut();
      }
      const { droppedCookie } = send(ctx, outcome);
      if (droppedCookie && !warnedAboutCookies.has(pluginId)) {
        warnedAboutCookies.add(pluginId);
        log.warn({ method: ctx.method, path }, 'plugin route tried to set a cookie; plugin routes cannot');
      }
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === 'plugin_timeout') {
        return timedOut();
      }
      log.error({ err: error, method: ctx.method, path }, 'plugin route failed');
      answerError(
        ctx,
        500,
        'plugin_error',
        `Plugin ${pluginId} failed to handle the request; the details are in the server log`,
      );
    } finally {
      clearTimeout(timer);
      // Past its answer (or its time limit), the request names nobody: a late handler links no one.
      if (proof !== undefined) signedInRequests.end(proof);
    }
  });
}
