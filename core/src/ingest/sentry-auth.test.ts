import assert from 'node:assert/strict';
import { AuthError, BadRequestError } from '../errors';
import {
  assertProjectMatches,
  extractAuth,
  parseAuthHeader,
  parseDsn,
  parseProjectId,
  type AuthInput,
} from './sentry-auth';

const KEY = 'c8fe25458869f78c823ed76fa7fb5da1';
const OTHER = '0123456789abcdef0123456789abcdef';

function expectError(
  fn: () => unknown,
  type: typeof BadRequestError | typeof AuthError,
  code: string,
  message?: RegExp,
): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('extractAuth', () => {
  const accepted: { name: string; input: AuthInput; client?: string; version?: string }[] = [
    {
      name: 'query string (every JS SDK)',
      input: {
        query: { sentry_version: '7', sentry_key: KEY, sentry_client: 'sentry.javascript.node/11.12.0' },
      },
      client: 'sentry.javascript.node/11.12.0',
      version: '7',
    },
    {
      name: 'X-Sentry-Auth header (sentry-python)',
      input: {
        query: {},
        authHeader: `Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=sentry.python/2.19.0`,
      },
      client: 'sentry.python/2.19.0',
      version: '7',
    },
    {
      name: 'X-Sentry-Auth with a secret, odd spacing and case',
      input: { query: {}, authHeader: `sentry  sentry_version=7 ,sentry_key = ${KEY},sentry_secret=s3cret` },
      version: '7',
    },
    {
      name: 'Authorization: Sentry …',
      input: { query: {}, authorizationHeader: `Sentry sentry_key=${KEY}, sentry_version=7` },
      version: '7',
    },
    {
      name: 'envelope dsn',
      input: { query: {}, envelopeDsn: `https://${KEY}@o1.ingest.example.com/42`, projectId: 42 },
    },
    {
      name: 'all carriers agreeing',
      input: {
        query: { sentry_key: KEY },
        authHeader: `Sentry sentry_key=${KEY}`,
        authorizationHeader: `Sentry sentry_key=${KEY}`,
        envelopeDsn: `http://${KEY}@localhost:9000/42`,
      },
    },
    {
      name: 'a repeated query parameter with the same key',
      input: { query: { sentry_key: [KEY, KEY] } },
    },
    {
      name: 'a non-Sentry Authorization header is ignored',
      input: { query: { sentry_key: KEY }, authorizationHeader: 'Bearer some-proxy-token' },
    },
    {
      name: 'an X-Sentry-Auth header without a key leaves the query key',
      input: { query: { sentry_key: KEY }, authHeader: 'Sentry sentry_version=7, sentry_client=x/1' },
      client: 'x/1',
      version: '7',
    },
  ];
  for (const c of accepted) {
    it(`accepts the key from ${c.name}`, () => {
      const auth = extractAuth(c.input);
      assert.equal(auth.publicKey, KEY);
      assert.equal(auth.sentryClient, c.client);
      assert.equal(auth.sentryVersion, c.version);
    });
  }

  it('prefers the header client over the query client', () => {
    const auth = extractAuth({
      query: { sentry_key: KEY, sentry_client: 'from-query/1' },
      authHeader: `Sentry sentry_key=${KEY}, sentry_client=from-header/1`,
    });
    assert.equal(auth.sentryClient, 'from-header/1');
  });

  const conflicts: { name: string; input: AuthInput; message: RegExp }[] = [
    {
      name: 'query vs X-Sentry-Auth',
      input: { query: { sentry_key: KEY }, authHeader: `Sentry sentry_key=${OTHER}` },
      message: /X-Sentry-Auth header and the sentry_key query parameter carry different Sentry keys/,
    },
    {
      name: 'query vs envelope dsn',
      input: { query: { sentry_key: KEY }, envelopeDsn: `https://${OTHER}@example.com/42` },
      message: /sentry_key query parameter and the envelope header dsn/,
    },
    {
      name: 'X-Sentry-Auth vs Authorization',
      input: {
        query: {},
        authHeader: `Sentry sentry_key=${KEY}`,
        authorizationHeader: `Sentry sentry_key=${OTHER}`,
      },
      message: /Authorization header/,
    },
    {
      name: 'a repeated query parameter with two keys',
      input: { query: { sentry_key: [KEY, OTHER] } },
      message: /repeats sentry_key/,
    },
  ];
  for (const c of conflicts) {
    it(`rejects conflicting keys: ${c.name}`, () => {
      expectError(() => extractAuth(c.input), BadRequestError, 'conflicting_keys', c.message);
    });
  }

  const missing: { name: string; input: AuthInput }[] = [
    { name: 'nothing at all', input: { query: {} } },
    {
      name: 'empty values',
      input: { query: { sentry_key: '' }, authHeader: 'Sentry sentry_key=', envelopeDsn: '' },
    },
    { name: 'only a Bearer token', input: { query: {}, authorizationHeader: 'Bearer abc' } },
  ];
  for (const c of missing) {
    it(`answers 401 missing_key explaining the carriers: ${c.name}`, () => {
      expectError(
        () => extractAuth(c.input),
        AuthError,
        'missing_key',
        /sentry_key query parameter.*X-Sentry-Auth.*dsn field/s,
      );
    });
  }

  it('checks the envelope dsn project against the URL project', () => {
    expectError(
      () => extractAuth({ query: {}, envelopeDsn: `https://${KEY}@example.com/7`, projectId: 42 }),
      BadRequestError,
      'project_mismatch',
      /names project 7 but the request was sent to project 42/,
    );
  });

  it('rejects a garbage envelope dsn', () => {
    expectError(
      () => extractAuth({ query: { sentry_key: KEY }, envelopeDsn: 'not a dsn' }),
      BadRequestError,
      'invalid_dsn',
    );
  });
});

describe('parseAuthHeader', () => {
  it('strips the scheme, sentry_ prefixes and quotes', () => {
    assert.deepEqual(
      parseAuthHeader('Sentry sentry_key="abc", sentry_version=7, sentry_timestamp=1.5, junk'),
      {
        key: 'abc',
        version: '7',
        timestamp: '1.5',
      },
    );
  });
});

describe('parseDsn', () => {
  const valid: { dsn: string; expected: ReturnType<typeof parseDsn> }[] = [
    {
      dsn: `http://${KEY}@127.0.0.1:38420/42`,
      expected: { protocol: 'http', publicKey: KEY, host: '127.0.0.1', port: 38420, path: '', projectId: 42 },
    },
    {
      dsn: `https://${KEY}:secret@sentry.example.com/sentry/prefix/7/`,
      expected: {
        protocol: 'https',
        publicKey: KEY,
        secretKey: 'secret',
        host: 'sentry.example.com',
        path: '/sentry/prefix',
        projectId: 7,
      },
    },
    {
      dsn: `https://${KEY}@[::1]:9000/1`,
      expected: { protocol: 'https', publicKey: KEY, host: '[::1]', port: 9000, path: '', projectId: 1 },
    },
  ];
  for (const c of valid) {
    it(`parses ${c.dsn}`, () => {
      assert.deepEqual(parseDsn(c.dsn), c.expected);
    });
  }

  const invalid: [string, RegExp][] = [
    ['', /not a URL/],
    ['garbage', /not a URL/],
    [`ftp://${KEY}@host/1`, /unsupported protocol "ftp"/],
    ['https://host/1', /no public key/],
    [`https://${KEY}@host`, /no project id/],
    [`https://${KEY}@host/`, /no project id/],
    [`https://${KEY}@host/abc`, /project id "abc"/],
    [`https://${KEY}@host/0`, /project id "0"/],
  ];
  for (const [dsn, message] of invalid) {
    it(`rejects ${JSON.stringify(dsn)}`, () => {
      expectError(() => parseDsn(dsn), BadRequestError, 'invalid_dsn', message);
    });
  }
});

describe('parseProjectId', () => {
  const cases: [string, number | null][] = [
    ['42', 42],
    ['1', 1],
    ['042', 42],
    ['2147483647', 2147483647],
    ['2147483648', null],
    ['99999999999999999999', null],
    ['0', null],
    ['', null],
    ['-1', null],
    ['1.5', null],
    ['1e3', null],
    [' 42', null],
    ['abc', null],
    ['0x1f', null],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${expected ?? 'invalid_project_id'}`, () => {
      if (expected === null) expectError(() => parseProjectId(raw), BadRequestError, 'invalid_project_id');
      else assert.equal(parseProjectId(raw), expected);
    });
  }
});

describe('assertProjectMatches', () => {
  it('passes equal ids and rejects different ones', () => {
    assertProjectMatches(42, 42);
    expectError(() => assertProjectMatches(1, 2), BadRequestError, 'project_mismatch');
  });
});
