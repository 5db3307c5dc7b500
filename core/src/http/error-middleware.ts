import type { Context, Next } from 'koa';
import { FaultlineError } from '../errors';
import type { Logger } from '../logging';

/**
 * The one place errors become HTTP answers: typed errors keep their status, code and sentence;
 * anything else is a 500 whose details go to the log, not to the client. SDK endpoints also get
 * the `X-Sentry-Error` header that Sentry SDKs log.
 */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      if (error instanceof FaultlineError) {
        ctx.status = error.status;
        ctx.body = { detail: error.message, code: error.code };
        for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
        // A body refused part-way is left unread; closing the connection discards the rest.
        if (error.status === 413) ctx.set('Connection', 'close');
        if (error.status < 500) log.debug({ code: error.code, path: ctx.path }, error.message);
        else log.warn({ code: error.code, path: ctx.path }, error.message);
      } else if (isKoaHttpError(error)) {
        ctx.status = error.status;
        ctx.body = { detail: error.message, code: 'bad_request' };
      } else {
        log.error(
          { err: error, path: ctx.path, method: ctx.method, requestId: ctx.state.requestId },
          'unhandled error',
        );
        ctx.status = 500;
        ctx.body = {
          detail: 'Internal server error; the details are in the server log',
          code: 'internal_error',
        };
      }
      if (/^\/api\/\d*[^/]*\/(envelope|store)\/?$/.test(ctx.path)) {
        ctx.set('X-Sentry-Error', String((ctx.body as { detail: string }).detail).replace(/[\r\n]+/g, ' '));
      }
    }
  };
}

function isKoaHttpError(error: unknown): error is { status: number; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { expose?: unknown }).expose === true &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}
