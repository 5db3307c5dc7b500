import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Knex } from 'knex';
import { errorEvent, seedAccount, storeEvents } from '../api/api-test-kit';
import { JobQueue } from '../jobs';
import { describeEachDatabase } from '../testing/databases';
import { HookDispatcher } from './hook-dispatcher';
import { PluginHost } from './host';
import { pluginServices } from './plugin-services';

// extensions/webhooks loaded the way PLUGINS=@faultline/extension-webhooks loads it (its built dist),
// with its config as PLUGIN_CONFIG_WEBHOOKS would give it and the services the runtime gives plugins
// (its HTTP client among them). Not imported: core must not depend on it.
const silent = pino({ level: 'silent' });
const SECRET = 'integration-test-secret-0123456789';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function signatureValid(header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', SECRET).update(`${match[1]}.${body}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(match[1])) < 60;
  return fresh && timingSafeEqual(Buffer.from(match[2], 'hex'), expected);
}

describeEachDatabase('webhooks extension through the plugin host', (ctx) => {
  let knex: Knex;
  let projectId: number;
  let server: http.Server;
  let port: number;
  const received: Received[] = [];
  let failNext = 0;

  before(async () => {
    knex = ctx.db.knex;
    projectId = (await seedAccount(knex, { organization: 'hooks', project: 'web', email: 'w@hooks.io' }))
      .projectId;
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const status = failNext > 0 ? 500 : 204;
        if (failNext > 0) failNext -= 1;
        received.push({ headers: req.headers, body, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** `allowPrivateNetworks` as the installation setting PLUGINS_ALLOW_PRIVATE_NETWORKS gives it. */
  async function start(
    config: object,
    installation: { allowPrivateNetworks: boolean; log?: pino.Logger },
  ): Promise<{
    host: PluginHost;
    dispatcher: { stop(): Promise<void>; statsOf: HookDispatcher['statsOf'] };
  }> {
    const host = await PluginHost.start(['@faultline/extension-webhooks'], {
      knex,
      log: installation.log ?? silent,
      rawConfigs: { WEBHOOKS: JSON.stringify(config) },
      services: pluginServices({
        knex,
        publicUrl: 'http://faultline.test',
        allowPrivateNetworks: installation.allowPrivateNetworks,
      }),
    });
    // A queue per test: its workers (this host's plugin) stop with it.
    const queue = await JobQueue.start(knex, silent, { maintenance: false });
    const hooks = new HookDispatcher(host, { knex, log: silent, pollMs: 20, queue });
    await hooks.start();
    const dispatcher = {
      statsOf: (id: string) => hooks.statsOf(id),
      stop: async () => {
        await hooks.stop();
        await queue.stop();
      },
    };
    return { host, dispatcher };
  }

  it('POSTs a signed payload for a new issue, retrying after a 500', async () => {
    received.length = 0;
    failNext = 1;
    const { host, dispatcher } = await start(
      { urls: [`http://127.0.0.1:${port}/hook`], secret: SECRET },
      { allowPrivateNetworks: true },
    );
    try {
      assert.deepEqual(host.skipped, []);
      assert.deepEqual(
        host.loaded.map((p) => p.id),
        ['webhooks'],
      );
      await storeEvents(knex, projectId, [errorEvent({ type: 'WebhookError', value: 'boom' })]);
      await waitFor('the retried delivery', () => received.some((r) => r.status === 204));
      assert.deepEqual(
        received.map((r) => r.status),
        [500, 204],
      );
      const [first, second] = received;
      assert.equal(first.body, second.body, 'the same payload is retried');
      assert.equal(first.headers['faultline-delivery'], second.headers['faultline-delivery']);
      for (const r of received) {
        assert.equal(r.headers['faultline-event'], 'issue.created');
        assert.equal(r.headers['content-type'], 'application/json');
        assert.ok(signatureValid(String(r.headers['faultline-signature']), r.body), 'signature verifies');
      }
      const issue = await knex('issues').where('project_id', projectId).orderBy('id', 'desc').first('id');
      const payload = JSON.parse(second.body) as { event: string; issue: { id: string; projectId: string } };
      assert.equal(payload.event, 'issue.created');
      assert.deepEqual(payload.issue, { id: String(issue.id), projectId: String(projectId) });
    } finally {
      await dispatcher.stop();
    }
  });

  it('refuses a loopback receiver unless the installation allows private networks', async () => {
    received.length = 0;
    failNext = 0;
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    // The field an organization's admin could once set to reach private addresses: now ignored.
    const { dispatcher } = await start(
      { urls: [`http://localhost:${port}/hook`], secret: SECRET, allowPrivateAddresses: true },
      { allowPrivateNetworks: false, log },
    );
    try {
      await storeEvents(knex, projectId, [errorEvent({ type: 'RefusedWebhookError', value: 'x' })]);
      await waitFor('the hook to be handled', () => dispatcher.statsOf('webhooks').delivered >= 1);
      assert.deepEqual(received, []);
      const refusals = lines.filter((l) => l.msg === 'webhook not delivered');
      assert.equal(refusals.length, 1, JSON.stringify(lines));
      assert.equal(refusals[0].code, 'destination_refused');
      assert.equal(refusals[0].attempts, 1, 'a refusal is not retried');
      assert.match(String(refusals[0].error), /private, loopback or link-local/);
    } finally {
      await dispatcher.stop();
    }
  });
});
