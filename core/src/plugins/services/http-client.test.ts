import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PluginError } from '@faultline/plugin-sdk';
import { isNonPublicAddress } from './address-policy';
import {
  createPluginHttpClient,
  DEFAULT_HTTP_TIMEOUT_MS,
  effectiveTimeoutMs,
  MAX_HTTP_TIMEOUT_MS,
} from './http-client';

interface Receiver {
  url: string;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** A real HTTP server on loopback; `respond` answers (or doesn't) each request. */
async function startReceiver(
  respond: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
  host = '127.0.0.1',
): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      respond(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const codeOf = (error: unknown) => (error as PluginError).code;

describe('plugin HTTP client', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver((req, res, body) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Seen', 'yes');
      res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
    });
  });
  after(async () => receiver.close());

  it('refuses loopback destinations by default, by IP literal and by name, without sending anything', async () => {
    const client = createPluginHttpClient({ allowPrivateAddresses: false });
    const port = new URL(receiver.url).port;
    for (const url of [
      receiver.url,
      `http://localhost:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
    ]) {
      await assert.rejects(client.fetch(url), (error) => {
        assert.equal(codeOf(error), 'destination_refused', `${url}: ${String(error)}`);
        assert.match((error as Error).message, /private, loopback or link-local/);
        assert.match((error as Error).message, /PLUGINS_ALLOW_PRIVATE_NETWORKS=true/);
        return true;
      });
    }
    assert.equal(receiver.requests.length, 0);
  });

  it('reaches private destinations when the installation allows them, with method, headers and body', async () => {
    const client = createPluginHttpClient({ allowPrivateAddresses: true });
    const response = await client.fetch(`${receiver.url}/hook`, {
      method: 'post',
      headers: { Authorization: 'Bearer abc' },
      body: '{"hello":"world"}',
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-seen'], 'yes');
    assert.deepEqual(await response.json(), {
      method: 'POST',
      body: '{"hello":"world"}',
      auth: 'Bearer abc',
    });
    assert.equal(receiver.requests.at(-1)?.headers['user-agent'], 'Faultline-Plugin');
    const bytes = await client.fetch(`${receiver.url}/bytes`, {
      method: 'PUT',
      body: new Uint8Array([104, 105]),
    });
    assert.equal(JSON.parse(await bytes.text()).body, 'hi');
  });

  it('refuses URLs that are not http(s)', async () => {
    const client = createPluginHttpClient({ allowPrivateAddresses: true });
    await assert.rejects(client.fetch('file:///etc/passwd'), (e) => codeOf(e) === 'invalid_url');
    await assert.rejects(client.fetch('not a url'), (e) => codeOf(e) === 'invalid_url');
  });

  it('gives up with http_timeout on a server that never answers', async () => {
    const silent = await startReceiver(() => undefined);
    try {
      const client = createPluginHttpClient({ allowPrivateAddresses: true });
      const started = Date.now();
      await assert.rejects(client.fetch(silent.url, { timeoutMs: 300 }), (e) => codeOf(e) === 'http_timeout');
      const took = Date.now() - started;
      assert.ok(took >= 280 && took < 3000, `took ${took} ms`);
    } finally {
      await silent.close();
    }
  });

  it('times the whole request: headers sent then a body that never ends is a timeout too', async () => {
    const dribbling = await startReceiver((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
    });
    try {
      const client = createPluginHttpClient({ allowPrivateAddresses: true });
      await assert.rejects(
        client.fetch(dribbling.url, { timeoutMs: 300 }),
        (e) => codeOf(e) === 'http_timeout',
      );
    } finally {
      await dribbling.close();
    }
  });

  it('refuses an answer larger than the cap, declared or streamed', async () => {
    const big = await startReceiver((req, res) => {
      if (req.url === '/declared') res.end('x'.repeat(2000));
      else {
        res.writeHead(200); // chunked: no declared length
        for (let i = 0; i < 20; i++) res.write('y'.repeat(100));
        res.end();
      }
    });
    try {
      const client = createPluginHttpClient({ allowPrivateAddresses: true, maxResponseBytes: 1000 });
      for (const path of ['/declared', '/streamed']) {
        await assert.rejects(
          client.fetch(`${big.url}${path}`),
          (e) => codeOf(e) === 'http_response_too_large',
        );
      }
    } finally {
      await big.close();
    }
  });

  it('reports a refused connection as http_error', async () => {
    const gone = await startReceiver(() => undefined);
    await gone.close();
    const client = createPluginHttpClient({ allowPrivateAddresses: true });
    await assert.rejects(client.fetch(gone.url), (e) => codeOf(e) === 'http_error');
  });

  it('uses 10 s unless told otherwise, and never more than 60 s', () => {
    assert.equal(effectiveTimeoutMs(undefined), DEFAULT_HTTP_TIMEOUT_MS);
    assert.equal(DEFAULT_HTTP_TIMEOUT_MS, 10_000);
    assert.equal(effectiveTimeoutMs(-5), DEFAULT_HTTP_TIMEOUT_MS);
    assert.equal(effectiveTimeoutMs(2500), 2500);
    assert.equal(effectiveTimeoutMs(10 * 60_000), MAX_HTTP_TIMEOUT_MS);
    assert.equal(MAX_HTTP_TIMEOUT_MS, 60_000);
  });
});

describe('plugin destination policy', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.31.255.255', true],
    ['192.168.1.10', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['fd12:3456::1', true],
    ['fe80::1%eth0', true],
    ['[fe80::1]', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.0.0.1', true],
    ['64:ff9b::a00:1', true],
    ['ff02::1', true],
    ['8.8.8.8', false],
    ['1.1.1.1', false],
    ['172.32.0.1', false],
    ['2606:4700:4700::1111', false],
  ];
  for (const [address, blocked] of cases) {
    it(`${address} is ${blocked ? 'refused' : 'allowed'}`, () => {
      assert.equal(isNonPublicAddress(address), blocked);
    });
  }
});
