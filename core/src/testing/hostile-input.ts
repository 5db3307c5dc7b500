/**
 * Generators of hostile HTTP input for the fuzz test (fast-check arbitraries): what an attacker or a
 * broken client sends — NUL, invalid UTF-8, control and non-Latin-1 characters, lone surrogates,
 * huge and negative numbers, wrong JSON types, deep nesting, mislabeled compression — shaped like
 * the real requests of one route so that most of them get past routing to the code behind it.
 */
import zlib from 'node:zlib';
import fc from 'fast-check';

/** Strings that have broken servers before, plus arbitrary code points (controls included). */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u2028\u2029',
    'é',
    '€',
    '💥',
    '\r\nX-Injected: 1',
    '\t',
    '\u007f\u0085',
    '%00',
    '%ff',
    "'; drop table users; --",
    '../../etc/passwd',
    '',
    ' ',
    'null',
    'NaN',
    '-1',
    '0',
    '1e309',
    '99999999999999999999999',
    '-9223372036854775809',
    '2147483648',
    'x'.repeat(5000),
    'is:unresolved assigned:\u0000 ',
  ),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

/**
 * JSON values of the wrong type, size or depth. `true` is left out on purpose: a fuzzed
 * `require2FA: true` would lock the fuzzer out of its own organization and stop covering anything.
 */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(0, -1, 1.5, 2 ** 31, -(2 ** 63), Number.MAX_SAFE_INTEGER + 2, 1e308, false, null, [], {}),
  fc.integer(),
  fc.array(nastyString, { maxLength: 4 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
  fc.integer({ min: 60, max: 3000 }).map((depth) => nest(depth)),
);

function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** A path segment: mostly the valid value (so the handler behind it runs), else a hostile one. */
export function pathSegment(valid: string | undefined): fc.Arbitrary<string> {
  const hostile = fc.oneof(
    nastyString.map(encodeSegment),
    fc.constantFrom('%00', 'a%00b', '%ff', '%c0%80', '%ed%a0%80', '%', '%zz', '..', '%2e%2e', '9'.repeat(40)),
  );
  return valid === undefined ? hostile : fc.oneof({ weight: 2, arbitrary: fc.constant(valid) }, hostile);
}

/** Percent-encodes any string, lone surrogates included (as the invalid UTF-8 a client could send). */
export function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text]
      .map((char) => {
        const code = char.charCodeAt(0);
        if (code >= 0xd800 && code <= 0xdfff) {
          // What a careless encoder emits for a lone surrogate (CESU-8): not valid UTF-8.
          const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
          return bytes.map((b) => `%${b.toString(16)}`).join('');
        }
        return encodeURIComponent(char);
      })
      .join('');
  }
}

/** A query string using the route's own parameter names (and a stray one), with hostile values. */
export function queryString(names: string[]): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 4, arbitrary: names.length > 0 ? fc.constantFrom(...names) : fc.constant('x') },
    { weight: 1, arbitrary: nastyString },
  );
  return fc
    .array(fc.tuple(name, nastyString), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&'));
}

export interface RawBody {
  contentType: string | undefined;
  bytes: Buffer | undefined;
}

/** A JSON body with the route's own field names (from its schema) holding hostile values, or broken JSON. */
export function jsonBody(fields: string[]): fc.Arbitrary<RawBody> {
  const fieldName = fields.length > 0 ? fc.constantFrom(...fields) : nastyString;
  const object = fc
    .dictionary(
      fc.oneof({ weight: 5, arbitrary: fieldName }, { weight: 1, arbitrary: nastyString }),
      nastyJson,
      {
        maxKeys: 4,
      },
    )
    .map((value) => Buffer.from(JSON.stringify(value)));
  const broken = fc.constantFrom(
    Buffer.from('{"name":"\xff\xfe"}', 'latin1'),
    Buffer.from('{"name":"a\u0000b"}'),
    Buffer.from('{"name":"a\\u0000b"}'),
    Buffer.from('{"\\u0000":1}'),
    Buffer.from('{"name":'),
    Buffer.from('"just a string"'),
    Buffer.from('[1,2,3]'),
    Buffer.from('1e999999'),
    Buffer.from('['.repeat(100_000)),
    Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)}`),
    Buffer.from(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`),
    Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
    Buffer.alloc(0),
  );
  return fc.record({
    contentType: fc.constantFrom(
      'application/json',
      'application/json; charset=latin1',
      'text/plain',
      undefined,
    ),
    bytes: fc.oneof(
      { weight: 3, arbitrary: object },
      { weight: 2, arbitrary: broken },
      fc.constant(undefined),
    ),
  });
}

/** Header values a client can put on the wire: Latin-1 without controls (fetch refuses the rest). */
export const headerValue: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    fc.constantFrom('é', '\u00ff\u00fe', 'x'.repeat(4000), 'Bearer ', 'Bearer \u00e9', 'Sentry sentry_key=é'),
  )
  .map((text) => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '').trim());

export interface EnvelopeParts {
  validKey: string;
  projectId: number;
}

/** An envelope built from hostile parts, possibly damaged byte-wise and (mis)compressed. */
export function envelopeRequest(parts: EnvelopeParts): fc.Arbitrary<{
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}> {
  const eventId = fc.oneof(fc.constant('9ec79c33ec9942ab8353589fcb2e04dc'), nastyString, nastyJson);
  const header = fc.record(
    {
      event_id: eventId,
      dsn: fc.oneof(
        fc.constant(`http://${parts.validKey}@localhost/${parts.projectId}`),
        nastyString.map((s) => `http://${s}@localhost/${parts.projectId}`),
        nastyString.map((s) => `http://%ff${encodeSegment(s)}@h/${s}`),
        nastyJson,
      ),
      sent_at: nastyJson,
      sdk: nastyJson,
    },
    { requiredKeys: [] },
  );
  const itemType = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'event',
        'transaction',
        'attachment',
        'session',
        'user_report',
        'client_report',
        'check_in',
        'feedback',
      ),
    },
    { weight: 1, arbitrary: nastyString },
  );
  const payload = fc.oneof(
    fc
      .record(
        {
          message: nastyJson,
          platform: nastyJson,
          extra: nastyJson,
          event_id: eventId,
          timestamp: nastyJson,
        },
        { requiredKeys: [] },
      )
      .map((p) => Buffer.from(JSON.stringify(p))),
    nastyJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  );
  const item = fc
    .tuple(itemType, payload, fc.oneof(fc.constant('exact'), fc.constant('none'), nastyJson))
    .map(([type, body, length]) => {
      const itemHeader: Record<string, unknown> = { type };
      if (length === 'exact') itemHeader.length = body.length;
      else if (length !== 'none') itemHeader.length = length;
      return Buffer.concat([Buffer.from(`${JSON.stringify(itemHeader)}\n`), body, Buffer.from('\n')]);
    });
  const envelope = fc
    .tuple(header, fc.array(item, { maxLength: 3 }))
    .map(([h, items]) => Buffer.concat([Buffer.from(`${JSON.stringify(h)}\n`), ...items]));
  // Byte-level damage: a NUL, an invalid UTF-8 byte, a stray newline, or a cut.
  const damaged = fc
    .tuple(
      envelope,
      fc.nat(),
      fc.constantFrom('none', 'insert', 'truncate'),
      fc.constantFrom(0x00, 0xff, 0x0a, 0xc3, 0x80),
    )
    .map(([body, at, how, byte]) => {
      if (how === 'none' || body.length === 0) return body;
      const pos = at % body.length;
      if (how === 'truncate') return body.subarray(0, pos);
      return Buffer.concat([body.subarray(0, pos), Buffer.from([byte]), body.subarray(pos)]);
    });
  const encoding = fc.constantFrom(
    'identity',
    'gzip',
    'deflate',
    'br',
    'gzip-mislabeled',
    'garbage',
    'gzip, gzip, gzip, gzip',
    'x-é',
  );
  const auth = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constant({
        query: `sentry_key=${parts.validKey}`,
        header: undefined as string | undefined,
      }),
    },
    {
      weight: 1,
      arbitrary: nastyString.map((s) => ({ query: `sentry_key=${encodeSegment(s)}`, header: undefined })),
    },
    { weight: 1, arbitrary: headerValue.map((h) => ({ query: '', header: h as string | undefined })) },
  );
  const projectSegment = pathSegment(String(parts.projectId));
  return fc
    .tuple(damaged, encoding, auth, projectSegment, fc.constantFrom('envelope', 'store'))
    .map(([raw, coding, credentials, project, endpoint]) => {
      const headers: Record<string, string> = { 'Content-Type': 'application/x-sentry-envelope' };
      let body = raw;
      if (coding === 'gzip') body = zlib.gzipSync(raw);
      else if (coding === 'deflate') body = zlib.deflateSync(raw);
      else if (coding === 'br') body = zlib.brotliCompressSync(raw);
      if (coding !== 'identity') {
        headers['Content-Encoding'] = coding === 'gzip-mislabeled' ? 'gzip' : coding;
      }
      if (credentials.header !== undefined) headers['X-Sentry-Auth'] = credentials.header;
      const query = credentials.query ? `?${credentials.query}` : '';
      return { path: `/api/${project}/${endpoint}/${query}`, headers, body };
    });
}
