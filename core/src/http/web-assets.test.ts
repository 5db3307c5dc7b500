import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { createLogger } from '../logging';
import { createHttpApp } from './app';
import { WEB_CSP, webAssets } from './web-assets';

const INDEX =
  '<!doctype html><title>Faultline</title><script type="module" src="/assets/app-3f9a.js"></script>';
const SCRIPT = 'console.log("the web UI");'.repeat(100);

/** A built web UI as Vite leaves it: index.html, hashed assets with their .br and .gz twins. */
function buildWebDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'assets/app-3f9a.js'), SCRIPT);
  fs.writeFileSync(path.join(dir, 'assets/app-3f9a.js.br'), zlib.brotliCompressSync(SCRIPT));
  fs.writeFileSync(path.join(dir, 'assets/app-3f9a.js.gz'), zlib.gzipSync(SCRIPT));
  return dir;
}

async function startApp(webDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const app = createHttpApp(
    createLogger('silent', quiet),
    [(router) => router.get('/api/0/things/', (ctx) => void (ctx.body = [{ id: 1 }]))],
    webAssets(webDir),
  );
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A raw GET, so the test sees the bytes and encoding the server sent (fetch would decode them). */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}

describe('web UI serving', () => {
  let server: { url: string; close: () => Promise<void> };
  let dir: string;

  before(async () => {
    dir = buildWebDir();
    server = await startApp(dir);
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html at / and at any client route, revalidated every load, under a strict CSP', async () => {
    for (const page of ['/', '/organizations/acme/issues/', '/organizations/acme/issues/42/?query=x']) {
      const res = await rawGet(server.url + page);
      assert.equal(res.status, 200, page);
      assert.equal(res.body.toString(), INDEX);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.headers['content-security-policy'], WEB_CSP);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    assert.match(WEB_CSP, /script-src 'self'(;|$)/);
    assert.doesNotMatch(WEB_CSP, /unsafe-inline|unsafe-eval|https?:/);
  });

  it('serves hashed assets as immutable for a year, brotli or gzip as the client accepts', async () => {
    const br = await rawGet(`${server.url}/assets/app-3f9a.js`, { 'Accept-Encoding': 'gzip, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(zlib.brotliDecompressSync(br.body).toString(), SCRIPT);
    assert.match(String(br.headers['content-type']), /javascript/);
    assert.match(String(br.headers['cache-control']), /max-age=31536000/);
    assert.match(String(br.headers['cache-control']), /immutable/);
    assert.match(String(br.headers.vary), /Accept-Encoding/i);

    const gz = await rawGet(`${server.url}/assets/app-3f9a.js`, { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(gz.body).toString(), SCRIPT);

    const plain = await rawGet(`${server.url}/assets/app-3f9a.js`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), SCRIPT);
  });

  it('answers a missing asset with a JSON 404, not index.html served as a script', async () => {
    const res = await rawGet(`${server.url}/assets/app-0000.js`);
    assert.equal(res.status, 404);
    assert.equal(JSON.parse(res.body.toString()).code, 'no_route');
  });

  it('refuses paths that climb out of the folder with a 4xx', async () => {
    const res = await rawGet(`${server.url}/assets/..%2f..%2f..%2fetc%2fpasswd`);
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.doesNotMatch(res.body.toString(), /root:/);
  });

  it('leaves the API and ingestion paths to their own JSON answers', async () => {
    const api = await rawGet(`${server.url}/api/0/things/`);
    assert.deepEqual(JSON.parse(api.body.toString()), [{ id: 1 }]);
    assert.equal(api.headers['content-security-policy'], undefined);
    for (const missing of ['/api/0/nothing/', '/api/7/envelope/']) {
      const res = await rawGet(server.url + missing);
      assert.equal(res.status, 404, missing);
      assert.equal(JSON.parse(res.body.toString()).code, 'no_route');
    }
  });

  it('says how to build the web UI when the folder holds none', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-noweb-'));
    const bare = await startApp(empty);
    try {
      const res = await rawGet(`${bare.url}/organizations/acme/issues/`);
      assert.equal(res.status, 404);
      const body = JSON.parse(res.body.toString());
      assert.equal(body.code, 'web_ui_missing');
      assert.match(body.detail, /npm run build/);
    } finally {
      await bare.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
