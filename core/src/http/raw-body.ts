import type { Readable } from 'node:stream';
import { BadRequestError, PayloadTooLargeError, RequestTimeoutError } from '../errors';

export interface ReadStreamOptions {
  /** More than this many bytes fail the read with `tooLarge(bytesSoFar)`. */
  maxBytes: number;
  tooLarge: (bytesSoFar: number) => Error;
  /**
   * The longest the client may go without sending a byte of the body (undefined: no limit). A
   * stalled client otherwise holds its connection, and what it sent so far, until Node's request
   * timeout, minutes later.
   */
  idleTimeoutMs?: number;
}

/**
 * Buffers a request body, failing as soon as more than `maxBytes` arrive, the client goes quiet for
 * `idleTimeoutMs` (a 408) or the client goes away (a 400). On a limit or a timeout the source is
 * paused, not destroyed, so the caller can still answer; the answer should close the connection
 * (the error middleware does for 408 and 413), which discards the unread rest.
 */
export function readStream(stream: NodeJS.ReadableStream, opts: ReadStreamOptions): Promise<Buffer> {
  const state = stream as Partial<Pick<Readable, 'readableEnded' | 'destroyed'>>;
  if (state.readableEnded) {
    return Promise.reject(new Error('the request body was already consumed by someone else'));
  }
  if (state.destroyed) return Promise.reject(aborted());

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;

    const settle = (err: Error | null, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onAborted);
      stream.off('close', onClose);
      // Keep a listener so a late 'error' (client abort after we gave up) cannot crash the process.
      stream.on('error', ignore);
      if (err) reject(err);
      else resolve(body ?? Buffer.alloc(0));
    };
    // One timer per body, pushed back on each chunk (refresh() is cheaper than a new timer).
    const armIdle = (): void => {
      if (opts.idleTimeoutMs === undefined) return;
      if (idle) {
        idle.refresh();
        return;
      }
      idle = setTimeout(() => {
        stream.pause();
        chunks.length = 0;
        settle(
          new RequestTimeoutError(
            `the client sent no part of the request body for ${opts.idleTimeoutMs} ms; the request was given up`,
            'body_timeout',
          ),
        );
      }, opts.idleTimeoutMs);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > opts.maxBytes) {
        stream.pause();
        chunks.length = 0;
        settle(opts.tooLarge(size));
        return;
      }
      chunks.push(buf);
      armIdle();
    };
    const onEnd = (): void => settle(null, Buffer.concat(chunks, size));
    const onError = (err: Error): void => settle(isAbort(err) ? aborted() : readFailed(err));
    const onAborted = (): void => settle(aborted());
    // 'close' before 'end' means the connection died mid-body.
    const onClose = (): void => settle(aborted());

    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
    stream.on('close', onClose);
    armIdle();
    stream.resume();
  });
}

/**
 * Reads a body (a request's, or an answer's to an outgoing request) as sent, failing with
 * `tooLarge()` past `maxBytes`, whether declared in Content-Length or counted while reading.
 */
export async function readLimitedBody(
  message: NodeJS.ReadableStream & { headers: Record<string, string | string[] | undefined> },
  opts: ReadStreamOptions,
): Promise<Buffer> {
  const declared = Number(message.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxBytes) throw opts.tooLarge(declared);
  return readStream(message, opts);
}

/**
 * Reads a request body as sent, refusing it (a `PayloadTooLargeError` with `tooLargeMessage`) past
 * `limitBytes`, and giving up on a client that stalls for `idleTimeoutMs`.
 */
export async function readRawBody(
  req: NodeJS.ReadableStream & { headers: Record<string, string | string[] | undefined> },
  limitBytes: number,
  options: { tooLargeMessage?: string; idleTimeoutMs?: number } = {},
): Promise<Buffer> {
  const tooLargeMessage = options.tooLargeMessage ?? `Request bodies are limited to ${limitBytes} bytes`;
  return readLimitedBody(req, {
    maxBytes: limitBytes,
    tooLarge: () => new PayloadTooLargeError(tooLargeMessage),
    idleTimeoutMs: options.idleTimeoutMs,
  });
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

function isAbort(err: Error): boolean {
  const code = errorCode(err);
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || err.message === 'aborted';
}

function aborted(): BadRequestError {
  return new BadRequestError(
    'the client closed the connection before the request body ended',
    'body_aborted',
  );
}

function readFailed(err: Error): BadRequestError {
  return new BadRequestError(`the request body could not be read: ${err.message}`, 'body_read_failed');
}

function ignore(): void {}
