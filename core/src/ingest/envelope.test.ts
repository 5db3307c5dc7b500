import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BadRequestError, PayloadTooLargeError } from '../errors';
import { readBody } from './decode-body';
import {
  parseEnvelope,
  parseJsonPayload,
  type Envelope,
  type EnvelopeItem,
  type EnvelopeLimits,
} from './envelope';
import { classifyItem } from './item-types';
import { extractAuth } from './sentry-auth';
import { FIXTURES_DIR } from '../testing/fixtures';

/** Real captured SDK requests (../shared/fixtures/README.md describes them). */
const FIXTURES = FIXTURES_DIR;

type ErrorClass = typeof BadRequestError | typeof PayloadTooLargeError;

const LIMITS = { maxItemBytes: 1024 * 1024 };

function parse(body: string | Buffer, limits: EnvelopeLimits = LIMITS): Envelope {
  return parseEnvelope(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, limits);
}

/** Item types and payloads as strings, for compact assertions. */
function summary(env: Envelope): [string, string][] {
  return env.items.map((item) => [item.header.type, item.payload.toString('utf8')]);
}

function rejects(body: string | Buffer, expected: { type: ErrorClass; code: string; message: RegExp }): void {
  assert.throws(
    () => parse(body),
    (err: unknown) => {
      assert.ok(err instanceof expected.type, `expected ${expected.type.name}, got ${String(err)}`);
      assert.equal((err as BadRequestError).code, expected.code);
      assert.match((err as Error).message, expected.message);
      return true;
    },
  );
}

describe('parseEnvelope', () => {
  describe('framing', () => {
    const cases: { name: string; body: string; items: [string, string][] }[] = [
      { name: 'header only', body: '{}', items: [] },
      { name: 'header only with trailing newline', body: '{}\n', items: [] },
      { name: 'header only with blank lines after it', body: '{}\n\n\r\n', items: [] },
      {
        name: 'items without length, no trailing newline',
        body: '{"event_id":"abc"}\n{"type":"event"}\n{"a":1}\n{"type":"session"}\n{"s":2}',
        items: [
          ['event', '{"a":1}'],
          ['session', '{"s":2}'],
        ],
      },
      {
        name: 'items without length, trailing newline',
        body: '{}\n{"type":"event"}\n{"a":1}\n',
        items: [['event', '{"a":1}']],
      },
      {
        name: 'length payload containing newlines',
        body: '{}\n{"type":"attachment","length":7,"filename":"a.txt"}\nab\ncd\ne\n{"type":"event"}\n{}',
        items: [
          ['attachment', 'ab\ncd\ne'],
          ['event', '{}'],
        ],
      },
      {
        name: 'length item last, without trailing newline',
        body: '{}\n{"type":"attachment","length":3}\nxyz',
        items: [['attachment', 'xyz']],
      },
      {
        name: 'length 0 and an empty payload without length',
        body: '{}\n{"type":"a","length":0}\n\n{"type":"b"}\n\n{"type":"c"}\n{}',
        items: [
          ['a', ''],
          ['b', ''],
          ['c', '{}'],
        ],
      },
      {
        name: 'item header at the very end has an empty payload',
        body: '{}\n{"type":"event"}',
        items: [['event', '']],
      },
      {
        name: '\\r\\n line endings: the \\r stays in the payload',
        body: '{}\r\n{"type":"event"}\r\n{"a":1}\r\n{"type":"session"}\r\n{"s":2}\r\n',
        items: [
          ['event', '{"a":1}\r'],
          ['session', '{"s":2}\r'],
        ],
      },
      {
        name: 'unknown item types are kept for the classifier to skip',
        body: '{}\n{"type":"future_thing","x":1}\nopaque bytes\n{"type":"event"}\n{}',
        items: [
          ['future_thing', 'opaque bytes'],
          ['event', '{}'],
        ],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        assert.deepEqual(summary(parse(c.body)), c.items);
      });
    }

    it('counts length in bytes, not characters (multibyte UTF-8)', () => {
      const payload = '{"message":"héllo wörld ✓ 😀"}';
      const bytes = Buffer.byteLength(payload);
      assert.notEqual(bytes, payload.length);
      const env = parse(`{}\n{"type":"event","length":${bytes}}\n${payload}\n{"type":"session"}\n{}`);
      assert.deepEqual(summary(env), [
        ['event', payload],
        ['session', '{}'],
      ]);
      assert.deepEqual(parseJsonPayload(env.items[0], 0), { message: 'héllo wörld ✓ 😀' });
    });

    it('keeps binary payloads byte for byte', () => {
      const binary = Buffer.from([0x00, 0x0a, 0xff, 0x0d, 0x0a, 0x80]);
      const body = Buffer.concat([
        Buffer.from(`{}\n{"type":"attachment","length":${binary.length}}\n`),
        binary,
        Buffer.from('\n'),
      ]);
      assert.deepEqual(parse(body).items[0].payload, binary);
    });

    it('exposes the envelope header fields and item header extras', () => {
      const env = parse(
        '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"https://k@h/1","sent_at":"2026-11-24T19:02:43.094Z",' +
          '"sdk":{"name":"sentry.python","version":"2.0.0"},"trace":{"trace_id":"t"},"custom":true}\n' +
          '{"type":"attachment","filename":"a.txt","attachment_type":"event.attachment","length":1}\nx',
      );
      assert.equal(env.header.event_id, '9ec79c33ec9942ab8353589fcb2e04dc');
      assert.equal(env.header.dsn, 'https://k@h/1');
      assert.equal(env.header.sent_at, '2026-11-24T19:02:43.094Z');
      assert.equal(env.header.sdk?.name, 'sentry.python');
      assert.deepEqual(env.header.trace, { trace_id: 't' });
      assert.equal(env.header.custom, true);
      assert.equal(env.items[0].header.filename, 'a.txt');
      assert.equal(env.items[0].header.length, 1);
    });

    it('treats null header fields as absent', () => {
      const env = parse('{"event_id":null,"sdk":null}\n{"type":"event","length":null}\n{}');
      assert.equal('event_id' in env.header, false);
      assert.equal(env.items[0].header.length, undefined);
      assert.equal(env.items[0].payload.toString(), '{}');
    });

    it('accepts a UTF-8 BOM before the envelope header', () => {
      assert.deepEqual(summary(parse('\ufeff{}\n{"type":"event"}\n{}')), [['event', '{}']]);
    });
  });

  describe('errors', () => {
    const cases: { name: string; body: string; type: ErrorClass; code: string; message: RegExp }[] = [
      { name: 'empty body', body: '', type: BadRequestError, code: 'empty_envelope', message: /empty/ },
      {
        name: 'broken envelope header JSON',
        body: '{"event_id":\n{"type":"event"}\n{}',
        type: BadRequestError,
        code: 'invalid_envelope_header',
        message: /envelope header is not valid JSON/,
      },
      {
        name: 'blank envelope header line',
        body: '\n{"type":"event"}\n{}',
        type: BadRequestError,
        code: 'invalid_envelope_header',
        message: /envelope header is not valid JSON/,
      },
      {
        name: 'envelope header that is not an object',
        body: '[1,2]\n',
        type: BadRequestError,
        code: 'invalid_envelope_header',
        message: /must be a JSON object, got an array/,
      },
      {
        name: 'envelope header event_id of the wrong type',
        body: '{"event_id":42}',
        type: BadRequestError,
        code: 'invalid_envelope_header',
        message: /"event_id" must be a string/,
      },
      {
        name: 'broken item header',
        body: '{}\n{"type":"event"}\n{}\n{"type":\n{}',
        type: BadRequestError,
        code: 'invalid_item_header',
        message: /item 1 header is not valid JSON/,
      },
      {
        name: 'item header without type',
        body: '{}\n{"length":2}\n{}',
        type: BadRequestError,
        code: 'invalid_item_header',
        message: /item 0 header has no "type"/,
      },
      {
        name: 'item header that is a string',
        body: '{}\n"event"\n{}',
        type: BadRequestError,
        code: 'invalid_item_header',
        message: /item 0 header must be a JSON object, got a string/,
      },
      {
        name: 'negative length',
        body: '{}\n{"type":"event","length":-1}\n{}',
        type: BadRequestError,
        code: 'invalid_length',
        message: /item 0 \(event\) header has an invalid "length" -1/,
      },
      {
        name: 'string length',
        body: '{}\n{"type":"event","length":"2"}\n{}',
        type: BadRequestError,
        code: 'invalid_length',
        message: /invalid "length" "2"/,
      },
      {
        name: 'length running past the end',
        body: '{}\n{"type":"event"}\n{}\n{"type":"attachment","length":100}\nshort',
        type: BadRequestError,
        code: 'invalid_length',
        message: /item 1 \(attachment\) declares length 100 but only 5 bytes follow/,
      },
      {
        name: 'length not followed by a newline',
        body: '{}\n{"type":"event","length":2}\n{}x\n',
        type: BadRequestError,
        code: 'invalid_length',
        message: /item 0 \(event\) payload of length 2 is not followed by a newline/,
      },
      {
        name: 'length counting characters instead of bytes',
        body: `{}\n{"type":"event","length":${'"é"'.length}}\n"é"\n`,
        type: BadRequestError,
        code: 'invalid_length',
        message: /not followed by a newline/,
      },
      {
        name: 'length followed by \\r\\n (the \\r is not a newline)',
        body: '{}\n{"type":"event","length":2}\n{}\r\n',
        type: BadRequestError,
        code: 'invalid_length',
        message: /not followed by a newline/,
      },
    ];
    for (const c of cases) {
      it(c.name, () => rejects(c.body, c));
    }

    it('rejects an item over the limit, with or without length', () => {
      const big = 'x'.repeat(101);
      for (const body of [`{}\n{"type":"event"}\n${big}`, `{}\n{"type":"event","length":101}\n${big}`]) {
        assert.throws(
          () => parse(body, { maxItemBytes: 100 }),
          (err: unknown) =>
            err instanceof PayloadTooLargeError &&
            err.code === 'item_too_large' &&
            /item 0 \(event\) is 101 bytes, over the limit of 100 bytes/.test(err.message),
        );
      }
      assert.equal(parse(`{}\n{"type":"event"}\n${'x'.repeat(100)}`, { maxItemBytes: 100 }).items.length, 1);
    });

    it('rejects a huge declared length before looking at the bytes', () => {
      assert.throws(
        () => parse('{}\n{"type":"event","length":9999999999}\n{}', { maxItemBytes: 100 }),
        (err: unknown) => err instanceof PayloadTooLargeError && err.code === 'item_too_large',
      );
    });

    it('applies per-type limits', () => {
      const limits = { maxItemBytes: 10, maxItemBytesByType: { attachment: 1000 } };
      const body = `{}\n{"type":"attachment","length":500}\n${'a'.repeat(500)}\n{"type":"event"}\n{}`;
      assert.equal(parse(body, limits).items.length, 2);
      assert.throws(
        () => parse(`{}\n{"type":"event"}\n${'e'.repeat(11)}`, limits),
        (err: unknown) => err instanceof PayloadTooLargeError,
      );
    });
  });
});

describe('parseEnvelope limits on work', () => {
  const items = (n: number, item = '{"type":"x"}\n\n') => `{}\n${item.repeat(n)}`;

  it('accepts exactly maxItems items, of any type, and refuses one more, naming the limit', () => {
    assert.equal(parse(items(3), { ...LIMITS, maxItems: 3 }).items.length, 3);
    assert.throws(
      () => parse(items(4), { ...LIMITS, maxItems: 3 }),
      (err: unknown) =>
        err instanceof PayloadTooLargeError &&
        err.code === 'too_many_items' &&
        /more than 3 items, over the limit of 3 items per envelope/.test(err.message),
    );
  });

  it('refuses 6.2 million empty items at the first item past the limit', () => {
    const body = Buffer.alloc(3 + 6_200_000 * 14);
    body.write('{}\n');
    body.fill('{"type":"x"}\n\n', 3);
    assert.throws(() => parse(body, { ...LIMITS, maxItems: 1000 }), /more than 1000 items/);
  });

  it('skips long runs of blank lines between items, which count as no item', () => {
    const body = `{}\n{"type":"a"}\n1\n${'\n \r\t'.repeat(100_000)}{"type":"b"}\n2\n`;
    assert.deepEqual(summary(parse(body, { ...LIMITS, maxItems: 2 })), [
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('refuses a header line over 64 KiB, the envelope header as well as an item header', () => {
    const long = `{"type":"x","pad":"${'p'.repeat(64 * 1024)}"}`;
    rejects(`{}\n${long}\n`, {
      type: BadRequestError,
      code: 'header_too_large',
      message: /item 0 header is \d+ bytes long/,
    });
    rejects(`{"pad":"${'p'.repeat(64 * 1024)}"}\n`, {
      type: BadRequestError,
      code: 'header_too_large',
      message: /envelope header/,
    });
  });

  it('gives per-type limits only to the types named, not to inherited names such as "constructor"', () => {
    const limits = { maxItemBytes: 4, maxItemBytesByType: { event: 100 } };
    assert.throws(
      () => parse(`{}\n{"type":"constructor"}\n${'c'.repeat(10)}\n`, limits),
      PayloadTooLargeError,
    );
  });
});

describe('parseJsonPayload', () => {
  const item = (type: string, payload: string): EnvelopeItem => ({
    header: { type },
    payload: Buffer.from(payload),
  });

  it('parses JSON, tolerating a trailing \\r', () => {
    assert.deepEqual(parseJsonPayload(item('event', '{"a":[1,2]}\r'), 0), { a: [1, 2] });
  });

  it('names the item and its type when the payload is not JSON', () => {
    for (const payload of ['{"a":', '', 'not json']) {
      assert.throws(
        () => parseJsonPayload(item('event', payload), 1),
        (err: unknown) =>
          err instanceof BadRequestError &&
          err.code === 'invalid_json' &&
          err.message.startsWith('item 1 (event) payload is not valid JSON: '),
      );
    }
  });
});

interface ManifestEntry {
  nn: string;
  method: string;
  bytes: number;
  contentEncoding: string | null;
  decodedBytes?: number;
  envelopeEventId?: string | null;
  items?: { type: string }[];
}

interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

describe('real SDK fixtures', function () {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestEntry[]
  >;

  const posts = Object.entries(manifest).flatMap(([scenario, entries]) =>
    entries.filter((e) => e.method === 'POST').map((entry) => ({ scenario, entry })),
  );

  it('finds the captured envelopes', () => {
    assert.ok(posts.length >= 30, `only ${posts.length} POST requests in the manifest`);
    assert.ok(posts.some((p) => p.entry.contentEncoding === 'gzip'));
  });

  for (const { scenario, entry } of posts) {
    it(`${scenario}/${entry.nn} reads, decodes and parses as the manifest says`, async () => {
      const base = join(FIXTURES, scenario, entry.nn);
      const request = JSON.parse(readFileSync(`${base}.request.json`, 'utf8')) as CapturedRequest;
      const raw = readFileSync(`${base}.body.bin`);
      assert.equal(raw.length, entry.bytes);
      // Re-chunk the body as a chunked upload would arrive.
      const chunks: Buffer[] = [];
      for (let at = 0; at < raw.length; at += 4096) chunks.push(raw.subarray(at, at + 4096));
      const body = await readBody(Readable.from(chunks), {
        contentEncoding: request.headers['content-encoding'],
        contentLength: request.headers['content-length'],
        maxCompressedBytes: 20 * 1024 * 1024,
        maxDecompressedBytes: 100 * 1024 * 1024,
      });
      assert.equal(body.length, entry.decodedBytes);

      const envelope = parseEnvelope(body, { maxItemBytes: 1024 * 1024 });
      assert.deepEqual(
        envelope.items.map((item) => item.header.type),
        (entry.items ?? []).map((item) => item.type),
      );
      assert.equal(envelope.header.event_id ?? null, entry.envelopeEventId ?? null);
      envelope.items.forEach((item, index) => {
        assert.notEqual(classifyItem(item.header.type), 'unknown');
        const payload = parseJsonPayload(item, index);
        assert.equal(typeof payload, 'object');
      });

      const query = Object.fromEntries(new URL(request.url, 'http://fixture').searchParams);
      const auth = extractAuth({ query, envelopeDsn: envelope.header.dsn, projectId: 42 });
      assert.equal(auth.publicKey, 'c8fe25458869f78c823ed76fa7fb5da1');
      assert.match(auth.sentryClient ?? '', /^sentry\.javascript\.(node|browser)\/11\.12\.0$/);
      assert.equal(auth.sentryVersion, '7');
    });
  }
});
