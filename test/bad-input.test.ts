import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';
import { sleep, totalCount, waitFor } from './support/api';
import { preferredKind } from './support/database';
import { buildEnvelope, envelopeUrl, eventEnvelope, parseTestDsn } from './support/envelopes';
import { httpRequest, type HttpResponse } from './support/http';
import { insertKey, startStack, type Stack } from './support/stack';

const KiB = 1024;
const LIMITS = { MAX_BODY_BYTES: 64 * KiB, MAX_ENVELOPE_BYTES: 128 * KiB, MAX_EVENT_BYTES: 16 * KiB };

/**
 * Asserts a Sentry-style rejection: the status, `X-Sentry-Error`, CORS, and a JSON `{detail}` naming
 * the problem.
 */
function assertRejected(res: HttpResponse, status: number, detail: RegExp): void {
  const shown = `${res.status} ${res.text().slice(0, 400)}`;
  assert.equal(res.status, status, shown);
  const header = res.headers['x-sentry-error'];
  assert.ok(typeof header === 'string' && header.length > 0, `no X-Sentry-Error header: ${shown}`);
  assert.ok(
    res.headers['access-control-allow-origin'],
    `no Access-Control-Allow-Origin on the error: ${shown}`,
  );
  assert.match(String(res.headers['content-type']), /application\/json/, shown);
  const body = res.json<{ detail?: unknown }>();
  assert.equal(typeof body.detail, 'string', shown);
  assert.match(String(body.detail), detail, shown);
}

/**
 * Malformed, unauthorized, oversized and hostile requests against a running server: each gets the
 * right 4xx with a reason, none is stored, and the server keeps serving.
 */
describe('bad input against a running faultline', function () {
  this.timeout(120_000);
  let stack: Stack | undefined;
  let rateLimitedKey = '';
  let url = '';
  let otherProjectUrl = '';

  before(async () => {
    stack = await startStack(await preferredKind(), {
      env: Object.fromEntries(Object.entries(LIMITS).map(([k, v]) => [k, String(v)])),
      extraProjects: ['other'],
      prepare: async (knex, setup) => {
        rateLimitedKey = await insertKey(knex, setup.projectId, { rateLimitCount: 2, rateLimitWindow: 60 });
      },
    });
    const dsn = parseTestDsn(stack.setup.dsn);
    url = envelopeUrl(stack.baseUrl, dsn.projectId, dsn.publicKey);
    otherProjectUrl = envelopeUrl(stack.baseUrl, stack.projects.other.projectId, dsn.publicKey);
  });

  after(async () => {
    await stack?.dispose();
  });

  /** A good event whose message marks it as one that must never be stored. */
  const rejected = (what: string) => eventEnvelope({ message: `must not be stored: ${what}` });
  const post = (target: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    httpRequest(target, { method: 'POST', body, headers });

  afterEach(async function () {
    // Whatever the last request did, the server must still be up and answering quickly.
    if (!stack) return;
    const health = await httpRequest(`${stack.baseUrl}/_health`, { timeoutMs: 5000 });
    assert.equal(health.status, 200, `after "${this.currentTest?.title}" /_health answered ${health.status}`);
    assert.ok(
      stack.server.isRunning,
      `the server died during "${this.currentTest?.title}":\n${stack.server.output()}`,
    );
  });

  it('rejects an envelope header that is not JSON (400)', async () => {
    const res = await post(
      url,
      '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"\n{"type":"event"}\n{"message":"x"}',
    );
    assertRejected(res, 400, /envelope header/i);
  });

  it('rejects an item whose length runs past the end of the body (400)', async () => {
    const res = await post(
      url,
      '{}\n{"type":"event","length":500}\n{"message":"must not be stored: length"}',
    );
    assertRejected(res, 400, /length/i);
  });

  it('rejects an event item that is not JSON (400)', async () => {
    const res = await post(url, '{}\n{"type":"event"}\n{"message": "must not be stored: json",');
    assertRejected(res, 400, /JSON/);
  });

  it('rejects an event item that is JSON but not an object (400)', async () => {
    const res = await post(url, '{}\n{"type":"event"}\n["must not be stored: array"]');
    assertRejected(res, 400, /object/i);
  });

  it('rejects an envelope with two event items (400)', async () => {
    const one = JSON.stringify({ message: 'must not be stored: first of two', platform: 'node' });
    const two = JSON.stringify({ message: 'must not be stored: second of two', platform: 'node' });
    const body = buildEnvelope({}, [
      { header: { type: 'event' }, payload: one },
      { header: { type: 'event' }, payload: two },
    ]);
    assertRejected(await post(url, body), 400, /event/i);
  });

  it('rejects an envelope header event_id that is not a UUID (400)', async () => {
    const res = await post(
      url,
      '{"event_id":"not-an-id"}\n{"type":"event"}\n{"message":"must not be stored: id"}',
    );
    assertRejected(res, 400, /event_id/);
  });

  it('quotes input Node would refuse in a header (invalid UTF-8, non-Latin-1, controls) as escapes in X-Sentry-Error (400, not 500)', async () => {
    for (const header of [
      Buffer.from('{"event_id":"\xe9"}\n', 'latin1'),
      Buffer.from('{"event_id":"\u20ac\\u0001"}\n'),
    ]) {
      const res = await post(url, Buffer.concat([header, Buffer.from('{"type":"event"}\n{}')]));
      assertRejected(res, 400, /event_id/);
      assert.match(String(res.headers['x-sentry-error']), /^[\x20-\x7e]+$/);
      assert.match(String(res.headers['x-sentry-error']), /\\u(fffd|20ac)/);
    }
  });

  it('refuses a Sentry key holding a NUL character (400, not a failed lookup)', async () => {
    const dsn = parseTestDsn(stack!.setup.dsn);
    const res = await post(envelopeUrl(stack!.baseUrl, dsn.projectId, 'a%00b'), rejected('nul key').body);
    assertRejected(res, 400, /characters no key has/);
  });

  it('gives an event sent without any event_id an id of its own and answers with it', async () => {
    const res = await post(url, '{}\n{"type":"event"}\n{"message":"sent without an id","platform":"node"}');
    assert.equal(res.status, 200, res.text());
    const { id } = res.json<{ id: string }>();
    assert.match(id, /^[0-9a-f]{32}$/);
  });

  it('processes an event item whose payload starts with a UTF-8 byte order mark', async () => {
    const res = await post(
      url,
      '{}\n{"type":"event"}\n\ufeff{"message":"sent with a BOM","platform":"node"}',
    );
    assert.equal(res.status, 200, res.text());
    const { organization, project } = stack!.setup;
    await waitFor(
      'the BOM event to become an issue',
      async () =>
        (await stack!.api.issues(organization, project)).some((i) => i.title === 'sent with a BOM') ||
        undefined,
    );
  });

  it('rejects an unknown key (401)', async () => {
    const dsn = parseTestDsn(stack!.setup.dsn);
    const res = await post(
      envelopeUrl(stack!.baseUrl, dsn.projectId, 'f'.repeat(32)),
      rejected('unknown key').body,
    );
    assertRejected(res, 401, /key/i);
  });

  it('rejects a request without any key (401)', async () => {
    const dsn = parseTestDsn(stack!.setup.dsn);
    const res = await post(envelopeUrl(stack!.baseUrl, dsn.projectId), rejected('no key').body);
    assertRejected(res, 401, /key/i);
  });

  it("rejects a valid key sent to another project's endpoint (401)", async () => {
    const res = await post(otherProjectUrl, rejected('other project').body);
    assertRejected(res, 401, new RegExp(`key.*project ${stack!.projects.other.projectId}`, 'i'));
  });

  it('rejects disagreeing keys in the query and the X-Sentry-Auth header (400)', async () => {
    const res = await post(url, rejected('two keys').body, {
      'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${'a'.repeat(32)}`,
    });
    assertRejected(res, 400, /different/i);
  });

  it('rejects an envelope whose dsn names another project than the URL (400)', async () => {
    const { publicKey } = parseTestDsn(stack!.setup.dsn);
    const otherId = stack!.projects.other.projectId;
    const event = eventEnvelope({
      message: 'must not be stored: dsn mismatch',
      header: { dsn: `http://${publicKey}@127.0.0.1:${stack!.port}/${otherId}` },
    });
    const res = await post(url, event.body);
    assertRejected(res, 400, /project/i);
  });

  it('rejects a project id that is not a number (400)', async () => {
    const { publicKey } = parseTestDsn(stack!.setup.dsn);
    const res = await post(
      envelopeUrl(stack!.baseUrl, 'my-project', publicKey),
      rejected('non-numeric').body,
    );
    assertRejected(res, 400, /project id/i);
  });

  it('rejects a body over MAX_BODY_BYTES (413)', async () => {
    const event = eventEnvelope({
      message: 'must not be stored: big body',
      extra: { blob: 'x'.repeat(100 * KiB) },
    });
    const res = await post(url, event.body);
    assertRejected(res, 413, /limit/i);
  });

  it('rejects a streamed (chunked) body over MAX_BODY_BYTES (413)', async () => {
    const event = eventEnvelope({
      message: 'must not be stored: big chunked',
      extra: { blob: 'x'.repeat(100 * KiB) },
    });
    const res = await httpRequest(url, { method: 'POST', body: event.body, chunkBytes: 8 * KiB });
    assertRejected(res, 413, /limit/i);
  });

  it('rejects an event item over MAX_EVENT_BYTES (413)', async () => {
    const event = eventEnvelope({
      message: 'must not be stored: big event',
      extra: { blob: 'x'.repeat(20 * KiB) },
    });
    assert.ok(event.body.length < LIMITS.MAX_BODY_BYTES);
    const res = await post(url, event.body);
    assertRejected(res, 413, /event|item/i);
  });

  it('rejects a gzip bomb that inflates past MAX_ENVELOPE_BYTES (413), quickly', async () => {
    const bomb = zlib.gzipSync(Buffer.concat([rejected('bomb').body, Buffer.alloc(32 * 1024 * KiB, 0x20)]));
    assert.ok(bomb.length < LIMITS.MAX_BODY_BYTES, `the bomb is ${bomb.length} bytes compressed`);
    const started = Date.now();
    const res = await post(url, bomb, { 'Content-Encoding': 'gzip' });
    assertRejected(res, 413, /decompress/i);
    assert.ok(Date.now() - started < 5000, `inflating the bomb took ${Date.now() - started} ms`);
  });

  it('rejects a corrupt gzip body (400)', async () => {
    const good = zlib.gzipSync(rejected('corrupt gzip').body);
    const corrupt = Buffer.concat([
      good.subarray(0, 10),
      Buffer.from('this is not deflate data at all'),
      good.subarray(-8),
    ]);
    const res = await post(url, corrupt, { 'Content-Encoding': 'gzip' });
    assertRejected(res, 400, /gzip/i);
  });

  it('rejects a Content-Encoding it cannot decode (400)', async () => {
    const res = await post(url, rejected('compress').body, { 'Content-Encoding': 'compress' });
    assertRejected(res, 400, /Content-Encoding/i);
  });

  it('accepts an envelope holding only an unknown item type (200)', async () => {
    const body = buildEnvelope({}, [
      { header: { type: 'hologram_v9' }, payload: '{"must not be stored":"unknown item"}' },
    ]);
    const res = await post(url, body);
    assert.equal(res.status, 200, res.text());
  });

  it('accepts the empty envelope {} (200)', async () => {
    const res = await post(url, '{}');
    assert.equal(res.status, 200, res.text());
  });

  it('survives a client that disconnects in the middle of a chunked body', async () => {
    const { pathname, search } = new URL(url);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(stack!.port, '127.0.0.1', () => {
        socket.write(
          `POST ${pathname}${search} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n` +
            '20\r\n{}\n{"type":"event"}\n{"message":"m\r\n',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
      socket.on('error', reject);
    });
  });

  it('answers 429 with Retry-After and X-Sentry-Rate-Limits once a key exceeds its own rate limit', async () => {
    // The limit is a fixed 60 s window: stay clear of its boundary so the three events share one window.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 50_000) await sleep(60_000 - intoWindow + 200);
    const limitedUrl = envelopeUrl(stack!.baseUrl, stack!.setup.projectId, rateLimitedKey);
    const send = () =>
      post(limitedUrl, eventEnvelope({ message: 'rate limited key', fingerprint: ['rate-limited'] }).body);
    assert.equal((await send()).status, 200);
    assert.equal((await send()).status, 200);
    const third = await send();
    assertRejected(third, 429, /rate limit/i);
    const retryAfter = Number(third.headers['retry-after']);
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
      `Retry-After: ${third.headers['retry-after']}`,
    );
    // `<seconds>:<categories>:<scope>…`; the categories must cover errors (empty means all).
    const [seconds, categories] = String(third.headers['x-sentry-rate-limits']).split(',')[0].split(':');
    assert.ok(Number(seconds) >= 1, `X-Sentry-Rate-Limits: ${third.headers['x-sentry-rate-limits']}`);
    assert.ok(categories === '' || categories.split(';').includes('error'), `categories "${categories}"`);
    // The default key of the same project is not limited.
    const other = await post(
      url,
      eventEnvelope({ message: 'not rate limited', fingerprint: ['not-limited'] }).body,
    );
    assert.equal(other.status, 200, other.text());
  });

  it('stores events Postgres text cannot hold as-is (NUL, huge user ids) without holding up the events after them', async () => {
    const { organization, project } = stack!.setup;
    const nul = eventEnvelope({
      message: 'nul \u0000 inside',
      fingerprint: ['nul'],
      extra: { 'key\u0000': 'value\u0000' },
      fields: { tags: { 'nul\u0000tag': 'v\u0000' }, user: { id: 'u\u0000' } },
    });
    const hugeUser = eventEnvelope({
      message: 'huge user id',
      fingerprint: ['huge-user'],
      fields: { user: { id: crypto.randomBytes(6000).toString('base64') } },
    });
    const behind = eventEnvelope({ message: 'the event behind them', fingerprint: ['behind'] });
    for (const { body } of [nul, hugeUser, behind]) {
      const res = await post(url, body);
      assert.equal(res.status, 200, res.text());
    }
    const titles = await waitFor('all three events to become issues', async () => {
      const list = (await stack!.api.issues(organization, project)).map((i) => i.title);
      return ['the event behind them', 'huge user id'].every((t) => list.includes(t)) &&
        list.some((t) => t.startsWith('nul '))
        ? list
        : undefined;
    });
    assert.ok(titles.includes('the event behind them'));
  });

  it('still accepts and processes a good event afterwards, and stored none of the rejected ones', async () => {
    const good = eventEnvelope({ message: 'a good event after all that', fingerprint: ['good'] });
    const res = await post(url, good.body);
    assert.equal(res.status, 200, res.text());
    assert.deepEqual(res.json(), { id: good.eventId });

    const { organization, project } = stack!.setup;
    const issues = await waitFor('the good event to become an issue', async () => {
      const list = await stack!.api.issues(organization, project);
      return list.some((i) => i.title === 'a good event after all that') ? list : undefined;
    });
    await sleep(500);
    const final = (await stack!.api.issues(organization, project)).filter((i) => !i.title.startsWith('nul '));
    assert.deepEqual(
      final.map((i) => [i.title, i.count]).sort(),
      [
        ['a good event after all that', '1'],
        ['huge user id', '1'],
        ['not rate limited', '1'],
        ['rate limited key', '2'],
        ['sent with a BOM', '1'],
        ['sent without an id', '1'],
        ['the event behind them', '1'],
      ],
      `issues: ${JSON.stringify(issues.map((i) => i.title))}`,
    );
    assert.equal(totalCount(await stack!.api.issues(organization, 'other')), 0);
  });
});
