import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import zlib from 'node:zlib';
import {
  BadRequestError,
  PayloadTooLargeError,
  RequestTimeoutError,
  ServiceUnavailableError,
} from '../errors';
import { checkZstdFrames, parseContentEncoding, readBody, type ReadBodyOptions } from './decode-body';
import { DecompressionBudget } from './decompression-budget';

const MiB = 1024 * 1024;
const LIMITS = { maxCompressedBytes: 20 * MiB, maxDecompressedBytes: 100 * MiB };
const ENVELOPE =
  '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n{"type":"event"}\n{"message":"zstd héllo","level":"error"}\n';

// `zstd -19` (v1.5.4) output for ENVELOPE; Node 20's zlib has no zstd compressor.
const ENVELOPE_ZSTD = Buffer.from(
  'KLUv/SRrLQMAwsUVHZA7B/+ru9vH13DPx6eP35JysbvB1GqUiypkzroErPp85pQdtXzwR0rrWoBY6XT4Vg5Ku4FvSKqnWHWOT+iGcLLF4AZXIEd7u9zO8RLce/jIGNXpqE8FAwA1FU7zAtSDggKqDGKi',
  'base64',
);

/** Splits into small chunks so reading really is incremental. */
function streamOf(body: Buffer, chunkSize = 1000): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkSize) chunks.push(body.subarray(at, at + chunkSize));
  return Readable.from(chunks);
}

function read(body: Buffer, opts: Partial<ReadBodyOptions> = {}): Promise<Buffer> {
  return readBody(streamOf(body), { ...LIMITS, ...opts });
}

async function rejectsWith(
  promise: Promise<unknown>,
  type: typeof BadRequestError | typeof PayloadTooLargeError,
  code: string,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** A hand-built zstd frame: no content size, 128 KiB window, `blocks` RLE blocks of 128 KiB zeros. */
function zstdRleBomb(blocks: number): Buffer {
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (17 - 10) << 3]);
  const parts: Buffer[] = [header];
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const blockHeader = ((128 * 1024) << 3) | (1 << 1) | last; // size, type RLE, last flag
    parts.push(Buffer.from([blockHeader & 0xff, (blockHeader >> 8) & 0xff, blockHeader >> 16, 0x00]));
  }
  return Buffer.concat(parts);
}

/** A hand-built zstd frame of raw blocks: exercises input slicing with incompressible data. */
function zstdRawFrame(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (17 - 10) << 3])];
  const blockSize = 100 * 1024;
  for (let at = 0; at < data.length; at += blockSize) {
    const block = data.subarray(at, at + blockSize);
    const last = at + blockSize >= data.length ? 1 : 0;
    const h = (block.length << 3) | last; // type 0 = raw
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, h >> 16]), block);
  }
  return Buffer.concat(parts);
}

describe('readBody', () => {
  describe('content codings', () => {
    const plain = Buffer.from(ENVELOPE.repeat(50));
    const cases: { encoding: string | undefined; encode: (b: Buffer) => Buffer }[] = [
      { encoding: undefined, encode: (b) => b },
      { encoding: '', encode: (b) => b },
      { encoding: 'identity', encode: (b) => b },
      { encoding: 'none', encode: (b) => b },
      { encoding: 'gzip', encode: (b) => zlib.gzipSync(b) },
      { encoding: 'GZIP', encode: (b) => zlib.gzipSync(b) },
      { encoding: 'x-gzip', encode: (b) => zlib.gzipSync(b) },
      { encoding: 'deflate', encode: (b) => zlib.deflateSync(b) },
      { encoding: 'deflate', encode: (b) => zlib.deflateRawSync(b) },
      { encoding: 'br', encode: (b) => zlib.brotliCompressSync(b) },
      { encoding: 'gzip, br', encode: (b) => zlib.brotliCompressSync(zlib.gzipSync(b)) },
      { encoding: 'deflate,gzip', encode: (b) => zlib.gzipSync(zlib.deflateSync(b)) },
      { encoding: 'identity, gzip', encode: (b) => zlib.gzipSync(b) },
    ];
    for (const [i, c] of cases.entries()) {
      it(`round-trips Content-Encoding ${JSON.stringify(c.encoding)} (#${i})`, async () => {
        assert.deepEqual(await read(c.encode(plain), { contentEncoding: c.encoding }), plain);
      });
    }

    it('round-trips zstd made by the zstd CLI', async () => {
      assert.equal((await read(ENVELOPE_ZSTD, { contentEncoding: 'zstd' })).toString(), ENVELOPE);
    });

    it('decodes concatenated zstd frames and skippable frames', async () => {
      const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
      const body = Buffer.concat([ENVELOPE_ZSTD, skippable, ENVELOPE_ZSTD]);
      assert.equal((await read(body, { contentEncoding: 'zstd' })).toString(), ENVELOPE + ENVELOPE);
    });

    it('decodes zstd input larger than one feeding slice', async () => {
      const data = Buffer.alloc(300 * 1024);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
      assert.deepEqual(await read(zstdRawFrame(data), { contentEncoding: 'zstd' }), data);
    });

    it('decodes zstd stacked under gzip', async () => {
      const body = zlib.gzipSync(ENVELOPE_ZSTD);
      assert.equal((await read(body, { contentEncoding: 'zstd, gzip' })).toString(), ENVELOPE);
    });

    it('accepts string chunks', async () => {
      assert.equal(
        (await readBody(Readable.from(['{}\n', '{"type":"event"}']), LIMITS)).toString(),
        '{}\n{"type":"event"}',
      );
    });

    it('reads an empty body as an empty buffer', async () => {
      assert.equal((await read(Buffer.alloc(0))).length, 0);
    });
  });

  describe('bad encodings', () => {
    it('rejects unknown codings before reading', async () => {
      await rejectsWith(
        read(Buffer.from('x'), { contentEncoding: 'compress' }),
        BadRequestError,
        'unsupported_encoding',
        /"compress"/,
      );
      await rejectsWith(
        read(Buffer.from('x'), { contentEncoding: 'gzip, lz4' }),
        BadRequestError,
        'unsupported_encoding',
        /"lz4"/,
      );
    });

    it('rejects absurdly deep stacks', () => {
      assert.throws(
        () => parseContentEncoding('gzip, gzip, gzip, gzip'),
        (err: unknown) => err instanceof BadRequestError && err.code === 'unsupported_encoding',
      );
    });

    const gz = zlib.gzipSync(Buffer.from(ENVELOPE.repeat(20)));
    const flipped = Buffer.from(gz);
    for (let i = 20; i < 40; i++) flipped[i] ^= 0xff;
    const corrupt: { name: string; encoding: string; body: Buffer }[] = [
      { name: 'gzip with flipped bytes', encoding: 'gzip', body: flipped },
      { name: 'truncated gzip', encoding: 'gzip', body: gz.subarray(0, gz.length - 30) },
      { name: 'plain text labelled gzip', encoding: 'gzip', body: Buffer.from(ENVELOPE) },
      { name: 'plain text labelled deflate', encoding: 'deflate', body: Buffer.from(ENVELOPE) },
      { name: 'plain text labelled br', encoding: 'br', body: Buffer.from(ENVELOPE) },
      { name: 'plain text labelled zstd', encoding: 'zstd', body: Buffer.from(ENVELOPE) },
      { name: 'truncated zstd', encoding: 'zstd', body: ENVELOPE_ZSTD.subarray(0, 60) },
      {
        name: 'zstd with garbage after the frame',
        encoding: 'zstd',
        body: Buffer.concat([ENVELOPE_ZSTD, Buffer.from('junk')]),
      },
    ];
    for (const c of corrupt) {
      it(`rejects ${c.name} as invalid_compression naming the coding`, async () => {
        await rejectsWith(
          read(c.body, { contentEncoding: c.encoding }),
          BadRequestError,
          'invalid_compression',
          new RegExp(c.encoding),
        );
      });
    }

    it('rejects zstd frames whose window is over 8 MiB before decoding', () => {
      // Window descriptor exponent 20 → 1 GiB window; one empty last raw block.
      const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3, 0x01, 0x00, 0x00]);
      assert.throws(
        () => checkZstdFrames(frame, 100 * MiB),
        (err: unknown) =>
          err instanceof BadRequestError && err.code === 'invalid_compression' && /window/.test(err.message),
      );
    });
  });

  describe('limits', () => {
    const tenMiBOfZeros = Buffer.alloc(10 * MiB);
    const bombs: { encoding: string; body: Buffer }[] = [
      { encoding: 'gzip', body: zlib.gzipSync(tenMiBOfZeros) },
      { encoding: 'deflate', body: zlib.deflateSync(tenMiBOfZeros) },
      { encoding: 'deflate', body: zlib.deflateRawSync(tenMiBOfZeros) },
      { encoding: 'br', body: zlib.brotliCompressSync(tenMiBOfZeros) },
      { encoding: 'zstd', body: zstdRleBomb(80) },
      { encoding: 'gzip, gzip', body: zlib.gzipSync(zlib.gzipSync(tenMiBOfZeros)) },
    ];
    for (const b of bombs) {
      it(`stops a ${b.encoding} bomb (${b.body.length} bytes → 10 MiB) at a 1 MiB cap`, async () => {
        await rejectsWith(
          read(b.body, { contentEncoding: b.encoding, maxDecompressedBytes: MiB }),
          PayloadTooLargeError,
          'decompressed_body_too_large',
        );
      });
    }

    it('decodes the zstd bomb when the cap allows it', async () => {
      const out = await read(zstdRleBomb(80), { contentEncoding: 'zstd', maxDecompressedBytes: 10 * MiB });
      assert.equal(out.length, 10 * MiB);
    });

    it('refuses a zstd frame that declares a content size over the cap before decoding', () => {
      // Single-segment frame declaring 2 MiB (4-byte FCS), no blocks needed to decide.
      const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0x20, 0, 0x01, 0, 0]);
      assert.throws(
        () => checkZstdFrames(frame, MiB),
        (err: unknown) => err instanceof PayloadTooLargeError,
      );
    });

    it('allows a body exactly at the limits', async () => {
      const body = Buffer.alloc(1000, 'a');
      assert.equal((await read(body, { maxCompressedBytes: 1000, maxDecompressedBytes: 1000 })).length, 1000);
      const gz = zlib.gzipSync(body);
      const out = await read(gz, {
        contentEncoding: 'gzip',
        maxCompressedBytes: gz.length,
        maxDecompressedBytes: 1000,
      });
      assert.equal(out.length, 1000);
    });

    it('stops reading as soon as the compressed limit is exceeded', async () => {
      let pulled = 0;
      const endless = new Readable({
        read() {
          pulled++;
          this.push(Buffer.alloc(16 * 1024, 'x'));
        },
      });
      await rejectsWith(
        readBody(endless, {
          contentEncoding: 'gzip',
          maxCompressedBytes: MiB,
          maxDecompressedBytes: 100 * MiB,
        }),
        PayloadTooLargeError,
        'body_too_large',
        /more than 1048576 bytes/,
      );
      const pulledAtRejection = pulled;
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(pulled <= 64 + 2, `read ${pulled} chunks of 16 KiB for a 1 MiB limit`);
      assert.ok(pulled - pulledAtRejection <= 2, 'kept reading after giving up');
      assert.equal(endless.isPaused(), true);
    });

    it('applies the decompressed limit while reading an unencoded body', async () => {
      await rejectsWith(
        read(Buffer.alloc(2000), { maxCompressedBytes: 10_000, maxDecompressedBytes: 1000 }),
        PayloadTooLargeError,
        'body_too_large',
      );
    });

    it('refuses an oversized Content-Length without reading', async () => {
      const stream = new PassThrough();
      await rejectsWith(
        readBody(stream, {
          ...LIMITS,
          maxCompressedBytes: 100,
          contentLength: '101',
          contentEncoding: 'gzip',
        }),
        PayloadTooLargeError,
        'body_too_large',
        /101 bytes, over the limit of 100/,
      );
      assert.equal(stream.listenerCount('data'), 0);
    });
  });

  describe('broken streams', () => {
    it('rejects when the stream is destroyed mid-body', async () => {
      const stream = new PassThrough();
      const pending = readBody(stream, LIMITS);
      stream.write('{}\n{"type":"ev');
      setImmediate(() => stream.destroy());
      await rejectsWith(pending, BadRequestError, 'body_aborted');
    });

    it('rejects when the stream errors, and survives a later error', async () => {
      const stream = new PassThrough();
      const pending = readBody(stream, LIMITS);
      stream.write('partial');
      setImmediate(() => stream.destroy(new Error('disk on fire')));
      await rejectsWith(pending, BadRequestError, 'body_read_failed', /disk on fire/);
      stream.emit('error', new Error('late')); // must not throw: a no-op listener stays attached
    });

    it('rejects a stream that already ended', async () => {
      const stream = Readable.from(['x']);
      stream.resume();
      await new Promise((resolve) => stream.once('end', resolve));
      await assert.rejects(readBody(stream, LIMITS), /already consumed/);
    });

    it('rejects when an HTTP client aborts a chunked upload', async () => {
      let outcome: Promise<unknown> | undefined;
      const server = http.createServer();
      const reached = new Promise<void>((resolve) => {
        server.on('request', (req: http.IncomingMessage) => {
          outcome = readBody(req, LIMITS).then(
            () => 'resolved',
            (err: unknown) => err,
          );
          req.once('data', () => resolve());
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const client = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/api/1/envelope/' });
        client.on('error', () => {});
        client.write('{}\n{"type":"event"}\n{"partial":');
        await reached;
        client.destroy();
        const err = await outcome;
        assert.ok(err instanceof BadRequestError, `expected rejection, got ${String(err)}`);
        assert.equal(err.code, 'body_aborted');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('decompression budget across requests', () => {
    // Each body inflates to 4 MiB; the budget holds one of them and a bit.
    const inflated = Buffer.alloc(4 * MiB, 'x');
    const budget = () => new DecompressionBudget(5 * MiB);

    for (const [encoding, compress] of [
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
      ['br', zlib.brotliCompressSync],
    ] as const) {
      it(`answers 503 with Retry-After to a ${encoding} body past the budget while the one within it succeeds`, async () => {
        const shared = budget();
        const first = shared.lease();
        const second = shared.lease();
        const body = compress(inflated);
        // The first request holds its 4 MiB until it is answered (its lease is not released yet).
        assert.equal((await read(body, { contentEncoding: encoding, lease: first })).length, 4 * MiB);
        await assert.rejects(read(body, { contentEncoding: encoding, lease: second }), (err: unknown) => {
          assert.ok(err instanceof ServiceUnavailableError, `expected a 503, got ${String(err)}`);
          assert.equal(err.code, 'decompression_busy');
          assert.match(err.headers['Retry-After'], /^[1-9][0-9]*$/);
          return true;
        });
        second.release();
        // What fits beside the first still goes through, and all of it once the first is answered.
        const small = compress(Buffer.from(ENVELOPE));
        const beside = shared.lease();
        assert.equal((await read(small, { contentEncoding: encoding, lease: beside })).toString(), ENVELOPE);
        beside.release();
        first.release();
        assert.equal(shared.bytesInUse, 0);
        const retried = shared.lease();
        assert.equal((await read(body, { contentEncoding: encoding, lease: retried })).length, 4 * MiB);
        retried.release();
      });
    }

    it('counts zstd output against the budget too', async () => {
      const shared = new DecompressionBudget(1 * MiB);
      const lease = shared.lease();
      await assert.rejects(
        read(zstdRleBomb(16), { contentEncoding: 'zstd', lease }),
        ServiceUnavailableError,
      );
      lease.release();
      assert.equal(shared.bytesInUse, 0);
    });

    it('gives the bytes of a refused body back when its lease is released', async () => {
      const shared = budget();
      const lease = shared.lease();
      await assert.rejects(
        read(zlib.gzipSync(Buffer.alloc(6 * MiB)), { contentEncoding: 'gzip', lease }),
        ServiceUnavailableError,
      );
      lease.release();
      assert.equal(shared.bytesInUse, 0);
    });
  });

  describe('stalled bodies', () => {
    it('gives up with a 408 on a body that stops arriving for the idle timeout', async () => {
      const stream = new PassThrough();
      stream.write('{}\n{"type":"event"}\n');
      const started = Date.now();
      await assert.rejects(readBody(stream, { ...LIMITS, idleTimeoutMs: 200 }), (err: unknown) => {
        assert.ok(err instanceof RequestTimeoutError, `expected a 408, got ${String(err)}`);
        assert.equal(err.code, 'body_timeout');
        return true;
      });
      assert.ok(Date.now() - started < 2000);
    });

    it('keeps reading a slow body whose bytes keep coming', async () => {
      const stream = new PassThrough();
      const reading = readBody(stream, { ...LIMITS, idleTimeoutMs: 300 });
      for (const part of ENVELOPE.match(/.{1,20}/gs)!) {
        stream.write(part);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      stream.end();
      assert.equal((await reading).toString(), ENVELOPE);
    });
  });
});
