import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { PluginError, PluginRequest } from '@faultline/plugin-sdk';
import { createHttpApp } from '../http';
import { mountPluginRoutes } from './routes';
import { PluginRoutes, signedInRequests } from './services';

const SECRET = 'shh';
const sign = (body: Buffer) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

describe('plugin routes', () => {
  let url: string;
  let server: http.Server;
  const logLines: Record<string, unknown>[] = [];
  const received: PluginRequest[] = [];

  before(async () => {
    const hooks = new PluginRoutes();
    hooks.handle('POST', '/github/webhook', (request) => {
      received.push(request);
      const valid = request.headers['x-hub-signature-256'] === sign(request.rawBody);
      return valid ? { status: 202, body: { ok: true } } : { status: 401, body: 'bad signature' };
    });
    hooks.handle('GET', '/echo', (request) => ({
      headers: { 'X-Plugin': 'hooks' },
      body: { path: request.path, query: request.query, custom: request.headers['x-custom'] ?? null },
    }));
    hooks.handle('GET', '/bytes', () => ({
      body: Buffer.from([0, 1, 2, 255]),
      headers: { 'Content-Type': 'application/octet-stream' },
    }));
    hooks.handle('DELETE', '/nothing', () => ({}));
    hooks.handle('GET', '/throws', async () => {
      throw new Error('database password is hunter2');
    });
    hooks.handle('GET', '/throws-at-once', () => {
      throw new TypeError('synchronous failure');
    });
    hooks.handle('GET', '/slow', () => new Promise(() => undefined));
    hooks.handle('GET', '/whoami', (request) => {
      received.push(request);
      // Whether the proof still names the person while the handler runs.
      return { body: { live: signedInRequests.userOf(request.signedIn?.proof) ?? null } };
    });
    hooks.handle('POST', '/whoami', (request) => {
      received.push(request);
      return {};
    });
    hooks.handle('GET', '/page', (request) => {
      received.push(request);
      return {
        headers: {
          'Content-Type': 'text/html',
          'Set-Cookie': 'session=planted; Path=/',
          'Content-Security-Policy': "script-src 'unsafe-inline'",
          'X-Content-Type-Options': 'sniff-away',
        },
        body: '<script>fetch("/api/0/projects/").then(r => r.text()).then(steal)</script>',
      };
    });
    const plugins = new Map([['hooks', hooks]]);
    const log = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      }),
    );
    const app = createHttpApp(log, [
      (router) =>
        mountPluginRoutes(router, (id) => plugins.get(id), {
          bodyLimitBytes: 1024,
          timeoutMs: 300,
          log,
          publicUrl: 'http://faultline.test/',
          // The test's stand-in for the session cookie: `Cookie: who=N` is user N.
          signedInUser: async (ctx) => {
            const who = /who=(\d+)/.exec(ctx.get('Cookie'))?.[1];
            return who === undefined ? undefined : Number(who);
          },
        }),
    ]);
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/0/plugins`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('hands the handler the body exactly as sent, so a signature over it checks out', async () => {
    // Not valid UTF-8, with bytes a text decoder would change.
    const body = Buffer.concat([
      Buffer.from('{"action": "closed",  "n":1}\r\n'),
      Buffer.from([0xff, 0x00, 0xc3]),
    ]);
    const answer = await fetch(`${url}/hooks/github/webhook?delivery=1&delivery=2`, {
      method: 'POST',
      headers: { 'X-Hub-Signature-256': sign(body), 'Content-Type': 'application/json' },
      body,
    });
    assert.equal(answer.status, 202);
    assert.deepEqual(await answer.json(), { ok: true });
    const request = received.at(-1)!;
    assert.ok(request.rawBody.equals(body), 'raw body byte-identical');
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/github/webhook');
    assert.deepEqual(request.query, { delivery: '2' });
    assert.equal(request.headers['content-type'], 'application/json');

    const forged = await fetch(`${url}/hooks/github/webhook`, {
      method: 'POST',
      headers: { 'X-Hub-Signature-256': sign(Buffer.from('other')) },
      body,
    });
    assert.equal(forged.status, 401);
    assert.equal(await forged.text(), 'bad signature');
  });

  it('sends the handler answer: JSON, headers, bytes, and 204 for no body', async () => {
    const echo = await fetch(`${url}/hooks/echo?a=1`, { headers: { 'X-Custom': 'yes' } });
    assert.equal(echo.status, 200);
    assert.equal(echo.headers.get('x-plugin'), 'hooks');
    assert.match(echo.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await echo.json(), { path: '/echo', query: { a: '1' }, custom: 'yes' });
    const bytes = await fetch(`${url}/hooks/bytes`);
    assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [0, 1, 2, 255]);
    const nothing = await fetch(`${url}/hooks/nothing`, { method: 'DELETE' });
    assert.equal(nothing.status, 204);
  });

  it('tells a GET route who is signed in, with a proof that lasts until the answer, and its public URL', async () => {
    const answer = await fetch(`${url}/hooks/whoami`, { headers: { Cookie: 'who=42' } });
    assert.deepEqual(await answer.json(), { live: 42 });
    const request = received.at(-1)!;
    assert.equal(request.signedIn?.userId, '42');
    assert.equal(request.publicUrl, 'http://faultline.test');
    assert.equal(
      signedInRequests.userOf(request.signedIn?.proof),
      undefined,
      'the proof ended with the answer',
    );

    await fetch(`${url}/hooks/whoami`);
    assert.equal(received.at(-1)!.signedIn, undefined, 'no session');
    // Another method is never signed in: a cross-site form could send it with the cookie.
    await fetch(`${url}/hooks/whoami`, { method: 'POST', headers: { Cookie: 'who=42' } });
    assert.equal(received.at(-1)!.signedIn, undefined);
  });

  it('keeps the caller’s credentials from the plugin and its answer from acting on the API’s origin', async () => {
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(`${url}/hooks/page`, {
        headers: {
          Cookie: 'faultline_session=abc',
          Authorization: 'Bearer flt_user_token',
          'Proxy-Authorization': 'Basic cHJveHk6cHc=',
          'X-Custom': 'kept',
        },
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('set-cookie'), null);
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(answer.headers.get('content-security-policy'), "default-src 'none'; sandbox");
      const request = received.at(-1)!;
      assert.equal(request.headers.cookie, undefined);
      assert.equal(request.headers.authorization, undefined);
      assert.equal(request.headers['proxy-authorization'], undefined);
      assert.equal(request.headers['x-custom'], 'kept');
    }
    const warned = logLines.filter((l) => /tried to set a cookie/.test(String(l.msg)));
    assert.equal(warned.length, 1, 'logged once per plugin');
    assert.equal(warned[0].plugin, 'hooks');

    const missing = await fetch(`${url}/hooks/unknown`);
    assert.equal(missing.headers.get('content-security-policy'), "default-src 'none'; sandbox");
    const echo = await fetch(`${url}/hooks/echo`);
    assert.equal(echo.headers.get('x-content-type-options'), 'nosniff');
  });

  it('answers 404 in the API error shape for an unknown plugin or route, 405 for another method', async () => {
    for (const path of ['/nobody/github/webhook', '/hooks/unknown', '/hooks', '/hooks/echo/']) {
      const answer = await fetch(`${url}${path}`);
      assert.equal(answer.status, 404, path);
      const body = (await answer.json()) as { detail: string; code: string };
      assert.equal(body.code, 'no_route');
      assert.match(body.detail, /No route for GET/);
    }
    const wrong = await fetch(`${url}/hooks/echo`, { method: 'POST', body: 'x' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET');
  });

  it('refuses a body over the limit with 413 before the plugin runs', async () => {
    const before = received.length;
    const body = Buffer.alloc(4096, 'a');
    const answer = await fetch(`${url}/hooks/github/webhook`, {
      method: 'POST',
      headers: { 'X-Hub-Signature-256': sign(body) },
      body,
    });
    assert.equal(answer.status, 413);
    assert.equal(((await answer.json()) as { code: string }).code, 'payload_too_large');
    assert.equal(received.length, before);
  });

  it('answers 500 with a generic message for a throwing handler, logs it, and keeps serving', async () => {
    for (const path of ['/hooks/throws', '/hooks/throws-at-once']) {
      const answer = await fetch(`${url}${path}`);
      assert.equal(answer.status, 500);
      const body = (await answer.json()) as { detail: string; code: string };
      assert.equal(body.code, 'plugin_error');
      assert.doesNotMatch(body.detail, /hunter2|synchronous/);
    }
    const logged = logLines.filter((l) => l.msg === 'plugin route failed');
    assert.equal(logged.length, 2);
    assert.equal(logged[0].plugin, 'hooks');
    assert.match(JSON.stringify(logged[0].err), /hunter2/);
    assert.equal((await fetch(`${url}/hooks/echo`)).status, 200);
  });

  it('answers 504 when a handler runs past its time limit', async () => {
    const started = Date.now();
    const answer = await fetch(`${url}/hooks/slow`);
    assert.equal(answer.status, 504);
    assert.equal(((await answer.json()) as { code: string }).code, 'plugin_timeout');
    assert.ok(Date.now() - started < 3000);
    assert.equal((await fetch(`${url}/hooks/echo`)).status, 200);
  });
});

describe('PluginRoutes', () => {
  it('refuses a route declared twice, and malformed ones', () => {
    const routes = new PluginRoutes();
    routes.handle('POST', '/hook', () => ({}));
    routes.handle('GET', '/hook', () => ({}));
    assert.throws(
      () => routes.handle('POST', '/hook', () => ({})),
      (e) => (e as PluginError).code === 'duplicate_route',
    );
    assert.throws(
      () => routes.handle('POST', 'hook', () => ({})),
      (e) => (e as PluginError).code === 'invalid_route',
    );
    assert.throws(
      () => routes.handle('PATCH' as 'POST', '/x', () => ({})),
      (e) => (e as PluginError).code === 'invalid_route',
    );
    assert.deepEqual(routes.list(), [
      { method: 'POST', path: '/hook' },
      { method: 'GET', path: '/hook' },
    ]);
    assert.deepEqual(routes.methodsOf('/hook'), ['GET', 'POST']);
  });
});
