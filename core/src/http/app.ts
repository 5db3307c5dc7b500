import { randomUUID } from 'node:crypto';
import Koa, { type Context, type Middleware, type Next } from 'koa';
import Router from '@koa/router';
import type { Logger } from '../logging';
import { NotFoundError } from '../errors';
import { errorMiddleware } from './error-middleware';

/** Anything that adds routes to the app: ingestion, the REST API, later plugins. */
export type RouteMounter = (router: Router) => void;

/**
 * Builds the Koa app: error mapping first, then every domain's routes, then `fallback` (the web UI)
 * for what no route answered, then a JSON 404.
 */
export function createHttpApp(log: Logger, mounters: RouteMounter[], fallback?: Middleware): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;
  // What escapes the error middleware (a failure while writing the answer) would otherwise be a
  // plain-text 500 that nobody hears of.
  app.on('error', (error: unknown, ctx?: Context) => {
    log.error(
      { err: error, requestId: ctx?.state.requestId, method: ctx?.method, path: ctx?.path },
      'error outside the error middleware',
    );
  });
  app.use(requestLogging(log));
  app.use(errorMiddleware(log));
  const router = new Router();
  router.get('/_health', (ctx) => {
    ctx.body = { ok: true };
  });
  for (const mount of mounters) mount(router);
  app.use(router.routes());
  app.use(router.allowedMethods());
  if (fallback) app.use(fallback);
  app.use((ctx) => {
    if (ctx.status === 404 && ctx.body === undefined) {
      throw new NotFoundError(`No route for ${ctx.method} ${ctx.path}`, 'no_route');
    }
  });
  return app;
}

const REQUEST_ID = /^[\w.:@/+=-]{1,200}$/;

/** Gives every request an id (echoed as X-Request-Id) and logs one line per request at debug level. */
function requestLogging(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const started = performance.now();
    // A caller's id is kept (to follow a request across proxies) only when it looks like one: it is
    // echoed in a header and written to every log line of the request.
    const given = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      if (log.isLevelEnabled('debug')) {
        log.debug(
          {
            requestId,
            method: ctx.method,
            path: ctx.path,
            status: ctx.status,
            ms: Math.round(performance.now() - started),
          },
          'request',
        );
      }
    }
  };
}
