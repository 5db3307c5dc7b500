import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bootstrap, type BootstrapResult } from '../accounts';
import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { openRuntime, startServices, type RunningServer, type Runtime } from './runtime';

/** What a raw client saw: the bytes answered, and when the server closed the connection. */
interface Outcome {
  answer: string;
  closedAfterMs: number;
}

/** Sends `head` (and nothing more, ever) on a raw socket; resolves when the server hangs up. */
function stallAfter(url: string, head: string, giveUpMs = 20_000): Promise<Outcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname, () => socket.write(head));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server still held the stalled connection after ${giveUpMs} ms`));
    }, giveUpMs);
  });
}

describe('stalled clients are cut off within seconds', function () {
  this.timeout(60_000);
  let dataDir: string;
  let runtime: Runtime;
  let running: RunningServer;
  let setup: BootstrapResult;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-timeouts-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_BODY_IDLE_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
    });
    runtime = await openRuntime(config, createLogger('silent'));
    running = await startServices(runtime, { http: true, workers: false });
    setup = await bootstrap(runtime.db.knex, {
      organization: 'acme',
      team: 'acme-team',
      project: 'app',
      platform: 'javascript',
      email: 'owner@acme.io',
      publicUrl: running.url,
    });
  });

  after(async () => {
    await running?.stop();
    await runtime?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a chunked envelope that stalls gets a 408 and is disconnected', async () => {
    const key = decodeURIComponent(new URL(setup.dsn).username);
    const firstChunk = '{}\n{"type":"event"}\n{"message":';
    const outcome = await stallAfter(
      running.url,
      `POST /api/${setup.projectId}/envelope/?sentry_key=${key} HTTP/1.1\r\nHost: x\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n${firstChunk.length.toString(16)}\r\n${firstChunk}\r\n`,
    );
    assert.match(outcome.answer, /^HTTP\/1\.1 408 /);
    assert.match(outcome.answer, /body_timeout/);
    assert.ok(outcome.closedAfterMs < 5000, `held for ${outcome.closedAfterMs} ms`);
  });

  it('an API body that stalls gets a 408 and is disconnected', async () => {
    const outcome = await stallAfter(
      running.url,
      `PUT /api/0/organizations/acme/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${setup.token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":',
    );
    assert.match(outcome.answer, /^HTTP\/1\.1 408 /);
    assert.ok(outcome.closedAfterMs < 5000, `held for ${outcome.closedAfterMs} ms`);
  });

  it('headers that stop arriving are cut off', async () => {
    const outcome = await stallAfter(running.url, 'GET /_health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    assert.match(outcome.answer, /^HTTP\/1\.1 408 /);
    assert.ok(outcome.closedAfterMs < 5000, `held for ${outcome.closedAfterMs} ms`);
  });

  it('a change stream stays open past the request timeout: it limits receiving a request, not answering it', async () => {
    const controller = new AbortController();
    const res = await fetch(`${running.url}/api/0/organizations/acme/changes/`, {
      headers: { Authorization: `Bearer ${setup.token}` },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let ended = false;
    const reading = (async () => {
      try {
        while (!(await reader.read()).done);
        ended = true;
      } catch {
        // aborted below
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.equal(ended, false, 'the stream was closed');
    controller.abort();
    await reading;
  });

  it('the server goes on answering others meanwhile', async () => {
    const stalled = stallAfter(
      running.url,
      'POST /api/0/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n{',
    );
    assert.equal((await fetch(`${running.url}/_health`)).status, 200);
    await stalled;
  });
});

describe('timeout and budget settings', () => {
  it('are validated at start-up, naming the setting', () => {
    assert.throws(
      () =>
        loadConfig({
          DECOMPRESSION_BUDGET_BYTES: String(1024 * 1024),
          MAX_ENVELOPE_BYTES: String(2 * 1024 * 1024),
        }),
      /DECOMPRESSION_BUDGET_BYTES: must be at least MAX_ENVELOPE_BYTES/,
    );
    assert.throws(
      () => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '30000' }),
      /HTTP_HEADERS_TIMEOUT_MS: must not be more than HTTP_REQUEST_TIMEOUT_MS/,
    );
    assert.throws(() => loadConfig({ HTTP_BODY_IDLE_TIMEOUT_MS: '0' }), /HTTP_BODY_IDLE_TIMEOUT_MS/);
  });

  it('default to seconds, not minutes', () => {
    const config = loadConfig({});
    assert.ok(config.http.headersTimeoutMs <= 10_000);
    assert.ok(config.http.bodyIdleTimeoutMs <= 10_000);
    assert.ok(config.limits.decompressionBudgetBytes >= config.limits.maxEnvelopeBytes);
  });
});
