import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { bootstrap, type BootstrapResult } from '../accounts';
import { startTestServer, type TestServer } from '../testing/server';

/** 6.2 million empty items of an unknown type: 87 MB of envelope in a small gzip body. */
const HOSTILE_ITEMS = 6_200_000;
const EMPTY_ITEM = '{"type":"x"}\n\n';

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One request on a keep-alive agent, timed from sending to the end of the answer. */
function send(
  agent: http.Agent,
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(url, { agent, method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          ms: performance.now() - started,
        }),
      );
      res.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe('a hostile envelope of 6.2 million items', function () {
  this.timeout(180_000);
  let server: TestServer;
  let org: BootstrapResult;
  let hostile: Buffer;
  let envelopeUrl: string;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  before(async () => {
    server = await startTestServer('embedded');
    org = await bootstrap(server.knex, {
      organization: 'acme',
      team: 'acme-team',
      project: 'app',
      platform: 'node',
      email: 'owner@acme.example',
      publicUrl: server.url,
    });
    const key = decodeURIComponent(new URL(org.dsn).username);
    envelopeUrl = `${server.url}/api/${org.projectId}/envelope/?sentry_key=${key}`;
    const raw = Buffer.alloc(3 + HOSTILE_ITEMS * EMPTY_ITEM.length);
    raw.write('{}\n');
    raw.fill(EMPTY_ITEM, 3);
    hostile = zlib.gzipSync(raw, { level: 9 });
  });
  after(async () => {
    agent.destroy();
    await server?.stop();
  });

  const postHostile = () =>
    send(agent, envelopeUrl, {
      method: 'POST',
      headers: { 'Content-Encoding': 'gzip', 'Content-Type': 'application/x-sentry-envelope' },
      body: hostile,
    });

  it('is refused with 413, naming the limit on items per envelope', async () => {
    assert.ok(hostile.length < 256 * 1024, `${hostile.length} bytes`);
    const answer = await postHostile();
    assert.equal(answer.status, 413, answer.body);
    assert.match(answer.body, /more than 1000 items/);
  });

  it('keeps other requests fast while it is decoded: p99 under 100 ms', async () => {
    const validEnvelope = () => {
      const eventId = randomUUID().replaceAll('-', '');
      const event = { event_id: eventId, timestamp: Date.now() / 1000, platform: 'node', message: 'hello' };
      return `${JSON.stringify({ event_id: eventId })}\n{"type":"event"}\n${JSON.stringify(event)}\n`;
    };
    // Other clients: a valid envelope, then an API read, one request every 20 ms.
    const probe = (i: number) =>
      i % 2 === 0
        ? send(agent, envelopeUrl, { method: 'POST', body: validEnvelope() })
        : send(agent, `${server.url}/api/0/organizations/acme/`, {
            method: 'GET',
            headers: { Authorization: `Bearer ${org.token}` },
          });
    const measure = async (count: number, into: number[]) => {
      for (let i = 0; i < count; i++) {
        const answer = await probe(i);
        assert.equal(answer.status, 200, answer.body);
        into.push(answer.ms);
        await sleep(20);
      }
    };
    await measure(20, []); // warm up

    // Windows with and without an attacker, taken in turns so both see the same machine load
    // (other processes share these 2 cores). The attacker sends the hostile envelope again and
    // again, awaiting each answer and pausing 50 ms.
    const quiet: number[] = [];
    const attacked: number[] = [];
    let hostileDone = 0;
    for (let round = 0; round < 4; round++) {
      await measure(50, quiet);
      let stop = false;
      const attacker = (async () => {
        while (!stop) {
          const answer = await postHostile();
          assert.equal(answer.status, 413, answer.body);
          hostileDone++;
          await sleep(50);
        }
      })();
      await measure(50, attacked);
      stop = true;
      await attacker;
    }
    const summary = (values: number[]) =>
      `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`;
    console.log(
      `    ${attacked.length} requests while ${hostileDone} hostile envelopes were decoded: ${summary(attacked)};` +
        ` without them: ${summary(quiet)}`,
    );
    assert.ok(hostileDone >= 20, `only ${hostileDone} hostile envelopes were sent`);
    // Before the item limit, one such envelope held every request for 11-15 s. On a quiet machine
    // the bound is 100 ms; on a busy one, 100 ms over what the same requests take without attack.
    const bound = Math.max(100, percentile(quiet, 99) + 100);
    assert.ok(percentile(attacked, 99) < bound, `p99 ${summary(attacked)}; bound ${bound.toFixed(1)} ms`);
  });
});
