import type { Context, Next } from 'koa';
import { FaultlineError } from '../errors';
import type { Logger } from '../logging';
import type { ErrorAnswer } from './error-answer';

/** Sentry SDKs log this header; long enough for any of our sentences, short enough for any proxy. */
const MAX_SENTRY_ERROR_CHARS = 500;

/**
 * The one place errors become HTTP answers: typed errors keep their status, code and sentence;
 * anything else is a 500 whose details go to the log, not to the client. SDK endpoints also get
 * the `X-Sentry-Error` header that Sentry SDKs log.
 *
 * Every answer given here is logged with the request id: 4xx at debug (the client's mistake, noisy
 * under attack), 500 at error (ours), other 5xx (503 and the like: overload, a dependency) at warn.
 */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      const requestId = ctx.state.requestId as string | undefined;
      const where = { requestId, method: ctx.method, path: ctx.path };
      if (error instanceof FaultlineError) {
        ctx.status = error.status;
        ctx.body = error.answer();
        for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
        // A body refused part-way is left unread; closing the connection discards the rest.
        if (error.status === 413 || error.status === 408) ctx.set('Connection', 'close');
        if (error.status < 500)
          log.debug({ ...where, status: error.status, code: error.code }, error.message);
        else log.warn({ ...where, status: error.status, code: error.code }, error.message);
      } else if (isKoaHttpError(error)) {
        ctx.status = error.status;
        ctx.body = { detail: error.message, code: 'bad_request' } satisfies ErrorAnswer;
        log.debug({ ...where, status: error.status, code: 'bad_request' }, error.message);
      } else {
        log.error({ ...where, err: error }, 'unhandled error');
        ctx.status = 500;
        ctx.body = {
          detail: 'Internal server error; the details are in the server log',
          code: 'internal_error',
        } satisfies ErrorAnswer;
      }
      if (/^\/api\/\d*[^/]*\/(envelope|store)\/?$/.test(ctx.path)) {
        ctx.set('X-Sentry-Error', headerSafe(String((ctx.body as ErrorAnswer).detail)));
      }
    }
  };
}

/**
 * A header value made of printable ASCII only. Our sentences quote what the client sent, and Node
 * refuses control characters and anything past Latin-1 in a header (which would turn a 400 into an
 * unexplained 500), so those are written as `\uXXXX` escapes instead.
 */
export function headerSafe(text: string): string {
  const escaped = text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length <= MAX_SENTRY_ERROR_CHARS
    ? escaped
    : `${escaped.slice(0, MAX_SENTRY_ERROR_CHARS - 3)}...`;
}

function isKoaHttpError(error: unknown): error is { status: number; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { expose?: unknown }).expose === true &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}
