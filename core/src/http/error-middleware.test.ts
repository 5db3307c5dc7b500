import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { BadRequestError } from '../errors';
import { createLogger } from '../logging';
import { createHttpApp } from './app';

/** A real app, with routes that fail the ways handlers do, logging into an array. */
async function startApp(): Promise<{
  url: string;
  lines: Record<string, unknown>[];
  close: () => Promise<void>;
}> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = createHttpApp(createLogger('debug', sink), [
    (router) => {
      router.get('/bad', () => {
        throw new BadRequestError('the thing is wrong', 'thing_wrong');
      });
      router.get('/broken', () => {
        throw new Error('a bug');
      });
      // An ingestion-style path, whose errors also go out as X-Sentry-Error.
      router.post('/api/:projectId/envelope/', () => {
        throw new BadRequestError('event_id "€\u0001\uFFFD\r\n" is not a UUID', 'invalid_event_id');
      });
    },
  ]);
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lines,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('error answers and their log lines', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  const logged = (requestId: string | null) => app.lines.filter((l) => l.requestId === requestId);

  it('logs a 4xx at debug with its request id', async () => {
    const res = await fetch(`${app.url}/bad`);
    assert.equal(res.status, 400);
    const lines = logged(res.headers.get('x-request-id'));
    const line = lines.find((l) => l.msg === 'the thing is wrong');
    assert.ok(line, `no log line for the 400: ${JSON.stringify(lines)}`);
    assert.equal(line.level, 20); // debug
    assert.equal(line.code, 'thing_wrong');
  });

  it('logs a 500 at error with its request id, and tells the client only that', async () => {
    const res = await fetch(`${app.url}/broken`, { headers: { 'X-Request-Id': 'req-42' } });
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('x-request-id'), 'req-42');
    assert.deepEqual(await res.json(), {
      detail: 'Internal server error; the details are in the server log',
      code: 'internal_error',
    });
    const line = logged('req-42').find((l) => l.level === 50);
    assert.ok(line, 'no error line for the 500');
    assert.match(JSON.stringify(line.err), /a bug/);
  });

  it('logs a no-route 404 at debug too', async () => {
    const res = await fetch(`${app.url}/nowhere`);
    assert.equal(res.status, 404);
    assert.ok(logged(res.headers.get('x-request-id')).some((l) => l.level === 20 && l.status === 404));
  });

  it('answers a 400 whose sentence Node would refuse in a header, with X-Sentry-Error escaped', async () => {
    const res = await fetch(`${app.url}/api/1/envelope/`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 400);
    const header = res.headers.get('x-sentry-error') ?? '';
    assert.match(header, /^[\x20-\x7e]+$/, header);
    assert.equal(header, 'event_id "\\u20ac\\u0001\\ufffd " is not a UUID');
    // The JSON body keeps the sentence as it is.
    assert.equal(
      ((await res.json()) as { detail: string }).detail,
      'event_id "€\u0001\uFFFD\r\n" is not a UUID',
    );
  });

  it("replaces a request id that doesn't look like one instead of echoing it", async () => {
    const res = await fetch(`${app.url}/bad`, { headers: { 'X-Request-Id': 'x'.repeat(500) } });
    const id = res.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
  });
});
