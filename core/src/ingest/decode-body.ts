/**
 * Reads a request body under a size limit and undoes its Content-Encoding under a second limit.
 *
 * The compressed body is buffered (it is bounded by `maxCompressedBytes`); decompression streams
 * with an output cap so a small bomb fails fast instead of allocating gigabytes, and counts what
 * it produces against a budget shared by all requests, so many bombs at once can't either.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { BadRequestError, PayloadTooLargeError, ServiceUnavailableError } from '../errors';
import { readStream } from '../http';
import type { DecompressionLease } from './decompression-budget';

export type ContentCoding = 'gzip' | 'deflate' | 'br' | 'zstd';

export interface ReadBodyOptions {
  /** The raw Content-Encoding header; missing, empty, `identity` and `none` mean no coding. */
  contentEncoding?: string;
  /** The Content-Length header, if any: lets an oversized body be refused before reading it. */
  contentLength?: string | number;
  maxCompressedBytes: number;
  maxDecompressedBytes: number;
  /** Gives up on a client that sends no byte of the body for this long (408); unset: waits. */
  idleTimeoutMs?: number;
  /**
   * This request's share of the decompression budget across requests: decompressed bytes are
   * counted against it, and past the budget the read fails with 503 + Retry-After. The caller
   * releases it once the request is answered. Unset: no shared budget.
   */
  lease?: DecompressionLease;
  /**
   * Sees the decompressed body chunk by chunk while it is produced (coded bodies only); throwing
   * stops decompression and fails the read with that error. Ingestion counts envelope items here,
   * so a small body holding millions of them is refused before it is inflated to its full size.
   */
  inspect?: (decoded: Buffer) => void;
}

// Nobody legitimately stacks more codings than this; each layer costs a full decompression pass.
const MAX_STACKED_CODINGS = 3;
// RFC 9659: a zstd Content-Encoding window must not exceed 8 MiB. fzstd allocates the whole
// window up front and shifts it per block, so a larger one would be a cheap memory/CPU attack.
const ZSTD_MAX_WINDOW = 8 * 1024 * 1024;
const ZSTD_INPUT_SLICE = 64 * 1024;

/**
 * Reads `stream` to the end and returns the decoded body.
 *
 * On a limit error the source is paused but not destroyed, so the caller can still answer 413
 * (it should send `Connection: close`; Node discards the unread rest).
 */
export async function readBody(stream: NodeJS.ReadableStream, opts: ReadBodyOptions): Promise<Buffer> {
  const codings = parseContentEncoding(opts.contentEncoding);
  // Without a coding the wire size is the decoded size, so the tighter limit applies while reading.
  const readLimit =
    codings.length === 0
      ? Math.min(opts.maxCompressedBytes, opts.maxDecompressedBytes)
      : opts.maxCompressedBytes;
  const declared = opts.contentLength === undefined ? NaN : Number(opts.contentLength);
  if (Number.isFinite(declared) && declared > readLimit) {
    throw tooLarge(declared, readLimit);
  }
  let body = await readStream(stream, {
    maxBytes: readLimit,
    tooLarge: (size) => tooLarge(size, readLimit, true),
    idleTimeoutMs: opts.idleTimeoutMs,
  });
  // Codings are listed in the order they were applied, so undo them last to first; only the last
  // one undone yields the body itself, which is what `inspect` looks at.
  for (const [i, coding] of [...codings].reverse().entries()) {
    const inspect = i === codings.length - 1 ? opts.inspect : undefined;
    body = await decode(body, coding, { maxOut: opts.maxDecompressedBytes, lease: opts.lease, inspect });
  }
  return body;
}

/** Parses a Content-Encoding header into the codings to undo, in the order they were applied. */
export function parseContentEncoding(header: string | undefined): ContentCoding[] {
  if (header === undefined) return [];
  const codings: ContentCoding[] = [];
  for (const raw of header.split(',')) {
    const token = raw.trim().toLowerCase();
    if (token === '' || token === 'identity' || token === 'none') continue;
    if (token === 'gzip' || token === 'x-gzip') codings.push('gzip');
    else if (token === 'deflate' || token === 'br' || token === 'zstd') codings.push(token);
    else {
      throw new BadRequestError(
        `unsupported Content-Encoding "${token.slice(0, 40)}"; use gzip, deflate, br, zstd or identity`,
        'unsupported_encoding',
      );
    }
  }
  if (codings.length > MAX_STACKED_CODINGS) {
    throw new BadRequestError(
      `Content-Encoding stacks ${codings.length} codings; at most ${MAX_STACKED_CODINGS} are accepted`,
      'unsupported_encoding',
    );
  }
  return codings;
}

/**
 * Where decompressed output may go: at most `maxOut` bytes, each counted against the lease and
 * shown to `inspect` (see ReadBodyOptions) before it is kept.
 */
interface OutputLimits {
  maxOut: number;
  lease?: DecompressionLease;
  inspect?: (decoded: Buffer) => void;
}

async function decode(input: Buffer, coding: ContentCoding, out: OutputLimits): Promise<Buffer> {
  switch (coding) {
    case 'gzip':
      return zlibDecode(input, coding, out, zlib.createGunzip);
    case 'br':
      return zlibDecode(input, coding, out, zlib.createBrotliDecompress);
    case 'deflate':
      return inflateEither(input, out);
    case 'zstd':
      return zstdDecode(input, out);
  }
}

// Larger than zlib's 16 KiB default: fewer chunks (and budget checks) for a big body.
const ZLIB_CHUNK_BYTES = 64 * 1024;

/**
 * Runs a zlib decompressor over the whole input, chunk by chunk: each output chunk is checked
 * against `maxOut` and counted against the lease before it is kept, so decompression stops at the
 * first chunk over either instead of after allocating it all.
 */
function zlibDecode(
  input: Buffer,
  coding: string,
  out: OutputLimits,
  create: (options: zlib.ZlibOptions) => zlib.Gunzip | zlib.BrotliDecompress | zlib.Inflate,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const inflater = create({ chunkSize: ZLIB_CHUNK_BYTES });
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (err: unknown): void => {
      if (done) return;
      done = true;
      chunks.length = 0;
      inflater.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    inflater.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > out.maxOut) return fail(decodedTooLarge(out.maxOut));
      try {
        out.lease?.take(chunk.length);
        out.inspect?.(chunk);
      } catch (err) {
        return fail(err);
      }
      chunks.push(chunk);
    });
    inflater.on('error', (err) => fail(corrupt(coding, err)));
    inflater.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    inflater.end(input);
  });
}

/**
 * HTTP "deflate" means zlib-wrapped, but some clients send raw deflate: use raw when the first two
 * bytes are not a zlib header, and also retry raw when a zlib-looking stream fails to inflate.
 */
async function inflateEither(input: Buffer, out: OutputLimits): Promise<Buffer> {
  if (!hasZlibHeader(input)) return zlibDecode(input, 'deflate', out, zlib.createInflateRaw);
  try {
    // Not inspected: a failure here falls back to raw deflate, which would show the start twice.
    return await zlibDecode(input, 'deflate', { ...out, inspect: undefined }, zlib.createInflate);
  } catch (err) {
    if (!(err instanceof BadRequestError)) throw err;
    return zlibDecode(input, 'deflate', out, zlib.createInflateRaw).catch((rawErr: unknown) => {
      throw rawErr instanceof BadRequestError ? err : rawErr;
    });
  }
}

function hasZlibHeader(buf: Buffer): boolean {
  // CM = 8 (deflate), CINFO ≤ 7, and the 16-bit header is a multiple of 31 (RFC 1950).
  return buf.length >= 2 && (buf[0] & 0x0f) === 8 && buf[0] >> 4 <= 7 && (buf[0] * 256 + buf[1]) % 31 === 0;
}

async function zstdDecode(input: Buffer, out: OutputLimits): Promise<Buffer> {
  const { maxOut, lease } = out;
  checkZstdFrames(input, maxOut);
  const chunks: Buffer[] = [];
  let size = 0;
  // fzstd hands over one block (≤ 128 KiB) at a time, so the cap is checked at block granularity.
  const decoder = new ZstdDecompress((data) => {
    size += data.length;
    if (size > maxOut) throw decodedTooLarge(maxOut);
    lease?.take(data.length);
    const chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    out.inspect?.(chunk);
    chunks.push(chunk);
  });
  try {
    // Feed slices and yield between them: fzstd is synchronous JavaScript.
    for (let at = 0; at < input.length; at += ZSTD_INPUT_SLICE) {
      const end = Math.min(at + ZSTD_INPUT_SLICE, input.length);
      decoder.push(input.subarray(at, end), end === input.length);
      if (end < input.length) await yieldToEventLoop();
    }
  } catch (err) {
    if (err instanceof PayloadTooLargeError || err instanceof ServiceUnavailableError) throw err;
    throw corrupt('zstd', err);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Walks the zstd frame and block headers (RFC 8878) without decoding, to refuse frames whose
 * window is too large or whose declared size is over the cap before fzstd allocates anything.
 */
export function checkZstdFrames(buf: Buffer, maxOut: number): void {
  const fail = (why: string): never => {
    throw new BadRequestError(`request body is not valid zstd data: ${why}`, 'invalid_compression');
  };
  let pos = 0;
  if (buf.length === 0) fail('empty body');
  while (pos < buf.length) {
    if (pos + 4 > buf.length) fail('truncated frame');
    const magic = buf.readUInt32LE(pos);
    if (magic >>> 4 === 0x184d2a5) {
      // Skippable frame: 4-byte magic, 4-byte size, then that many bytes.
      if (pos + 8 > buf.length) fail('truncated skippable frame');
      pos += 8 + buf.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== 0xfd2fb528) fail(pos === 0 ? 'bad magic number' : 'trailing garbage after the last frame');
    pos += 4;
    if (pos >= buf.length) fail('truncated frame header');
    const descriptor = buf[pos++];
    const singleSegment = (descriptor >> 5) & 1;
    const hasChecksum = (descriptor >> 2) & 1;
    if (descriptor & 0x08) fail('reserved bit set in frame header');
    let window = 0;
    if (!singleSegment) {
      if (pos >= buf.length) fail('truncated frame header');
      const wd = buf[pos++];
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    const dictIdBytes = [0, 1, 2, 4][descriptor & 3];
    const fcsFlag = descriptor >> 6;
    const fcsBytes = fcsFlag === 0 ? singleSegment : 2 ** fcsFlag;
    if (pos + dictIdBytes + fcsBytes > buf.length) fail('truncated frame header');
    if (dictIdBytes > 0 && buf.readUIntLE(pos, dictIdBytes) !== 0) fail('dictionaries are not supported');
    pos += dictIdBytes;
    let contentSize: number | undefined;
    if (fcsBytes === 8) contentSize = Number(buf.readBigUInt64LE(pos));
    else if (fcsBytes > 0) contentSize = buf.readUIntLE(pos, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
    pos += fcsBytes;
    if (singleSegment) window = contentSize ?? 0;
    if (contentSize !== undefined && contentSize > maxOut) throw decodedTooLarge(maxOut);
    if (window > ZSTD_MAX_WINDOW)
      fail(`window of ${window} bytes exceeds the ${ZSTD_MAX_WINDOW} byte maximum`);
    for (let last = 0; !last;) {
      if (pos + 3 > buf.length) fail('truncated block header');
      const blockHeader = buf.readUIntLE(pos, 3);
      pos += 3;
      last = blockHeader & 1;
      const blockType = (blockHeader >> 1) & 3;
      if (blockType === 3) fail('reserved block type');
      pos += blockType === 1 ? 1 : blockHeader >>> 3; // an RLE block stores a single byte
    }
    pos += hasChecksum ? 4 : 0;
    if (pos > buf.length) fail('truncated frame');
  }
}

function tooLarge(size: number, limit: number, partial = false): PayloadTooLargeError {
  const amount = partial ? `more than ${limit}` : `${size}`;
  return new PayloadTooLargeError(
    `request body is ${amount} bytes, over the limit of ${limit} bytes`,
    'body_too_large',
  );
}

function decodedTooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `request body decompresses to more than ${limit} bytes, over the limit`,
    'decompressed_body_too_large',
  );
}

function corrupt(coding: string, err: unknown): BadRequestError {
  const detail = err instanceof Error ? err.message : String(err);
  return new BadRequestError(
    `request body is not valid ${coding} data (Content-Encoding: ${coding}): ${detail}`,
    'invalid_compression',
  );
}
