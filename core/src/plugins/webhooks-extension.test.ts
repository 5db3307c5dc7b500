import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Knex } from 'knex';
import { errorEvent, seedAccount, storeEvents } from '../api/api-test-kit';
import { startAlertWorkers } from '../alerts';
import { JobQueue } from '../jobs';
import { describeEachDatabase } from '../testing/databases';
import { PluginAlertActions } from './alert-actions';
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

/** Waits until `check` holds, calling `refresh` (e.g. a query whose result `check` reads) before each look. */
async function waitFor(
  what: string,
  check: () => boolean,
  timeoutMs = 10_000,
  refresh?: () => Promise<unknown>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await refresh?.();
    if (check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, refresh ? 100 : 10));
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
      const payload = JSON.parse(second.body) as {
        event: string;
        issue: {
          id: string;
          projectId: string;
          summary?: { title: string; status: string; count: number; permalink: string };
        };
      };
      assert.equal(payload.event, 'issue.created');
      assert.equal(payload.issue.id, String(issue.id));
      assert.equal(payload.issue.projectId, String(projectId));
      // The receiver learns what the issue is, not only its id.
      assert.match(payload.issue.summary?.title ?? '', /^WebhookError: boom/);
      assert.equal(payload.issue.summary?.status, 'unresolved');
      assert.equal(payload.issue.summary?.count, 1);
      assert.match(payload.issue.summary?.permalink ?? '', new RegExp(`/issues/${String(issue.id)}/$`));
    } finally {
      await dispatcher.stop();
    }
  });

  it('throws when a URL still fails after its own attempts, so the hook is retried with the same delivery id', async function () {
    this.timeout(30_000);
    received.length = 0;
    // The plugin's 3 attempts fail, and the first of the host's retry.
    failNext = 4;
    const { dispatcher } = await start(
      { urls: [`http://127.0.0.1:${port}/hook`], secret: SECRET },
      { allowPrivateNetworks: true },
    );
    try {
      await storeEvents(knex, projectId, [errorEvent({ type: 'RetriedWebhookError', value: 'x' })]);
      await waitFor('the delivery on the retry', () => received.some((r) => r.status === 204), 20_000);
      assert.deepEqual(
        received.map((r) => r.status),
        [500, 500, 500, 500, 204],
      );
      assert.equal(dispatcher.statsOf('webhooks').failed, 1, 'the first call failed');
      const ids = new Set(received.map((r) => r.headers['faultline-delivery']));
      assert.equal(ids.size, 1, 'one delivery id on every request');
      assert.equal((JSON.parse(received[4].body) as { id: string }).id, [...ids][0]);
    } finally {
      failNext = 0;
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
  describe('as an alert action', () => {
    let projects = 0;

    /**
     * The plugin as the alert action of a rule on a new project, run by the alert workers with small
     * retry settings (the first attempt and one retry after 1 s), as the runtime runs them.
     */
    async function alertSetup(installation: { allowPrivateNetworks: boolean }): Promise<{
      fire(): Promise<void>;
      actions(): Promise<{ status: string; error?: string }[]>;
      stop(): Promise<void>;
    }> {
      const n = ++projects;
      const seeded = await seedAccount(knex, {
        organization: `alerting${n}`,
        project: `shop${n}`,
        email: `a${n}@hooks.io`,
      });
      const [rule] = await knex('alert_rules')
        .insert({
          project_id: seeded.projectId,
          name: 'New issues',
          triggers: JSON.stringify([{ id: 'issue.created' }]),
          filters: '[]',
          frequency_minutes: 0,
          actions: JSON.stringify([{ plugin: 'webhooks', config: {} }]),
        })
        .returning('id');
      const host = await PluginHost.start(['@faultline/extension-webhooks'], {
        knex,
        log: silent,
        rawConfigs: {
          WEBHOOKS: JSON.stringify({ urls: [`http://127.0.0.1:${port}/alert`], secret: SECRET }),
        },
        services: pluginServices({
          knex,
          publicUrl: 'http://faultline.test',
          allowPrivateNetworks: installation.allowPrivateNetworks,
        }),
      });
      const queue = await JobQueue.start(knex, silent, { maintenance: false });
      const workers = await startAlertWorkers({
        knex,
        queue,
        log: silent,
        publicUrl: 'http://faultline.test',
        actions: new PluginAlertActions(host),
        retry: { limit: 1, delaySeconds: 1 },
        schedule: false,
      });
      return {
        fire: () => storeEvents(knex, seeded.projectId, [errorEvent({ type: `AlertError${n}`, value: 'x' })]),
        actions: async () =>
          (await knex('alert_fires').where('rule_id', rule.id).select('actions')).flatMap(
            (r: { actions: unknown }) =>
              (typeof r.actions === 'string' ? JSON.parse(r.actions) : r.actions) as {
                status: string;
                error?: string;
              }[],
          ),
        stop: async () => {
          await workers.stop();
          await queue.stop();
          await host.stop();
        },
      };
    }

    async function settled(actions: () => Promise<{ status: string }[]>): Promise<void> {
      let last: { status: string }[] = [];
      await waitFor(
        'the alert action to settle',
        () => last.length > 0 && last.every((a) => a.status !== 'pending'),
        30_000,
        async () => (last = await actions()),
      );
    }

    it('ends failed when the receiver answers 500 through every attempt of every retry', async function () {
      this.timeout(40_000);
      received.length = 0;
      // 3 attempts of the plugin's own for the first call and 3 for the queue's one retry.
      failNext = 6;
      const alerts = await alertSetup({ allowPrivateNetworks: true });
      try {
        await alerts.fire();
        await settled(alerts.actions);
        const [action] = await alerts.actions();
        assert.equal(action.status, 'failed');
        assert.match(
          action.error ?? '',
          /not delivered to 1 of 1 URL\(s\): http:\/\/127\.0\.0\.1:\d+\/alert: HTTP 500/,
        );
        assert.deepEqual(
          received.map((r) => r.status),
          [500, 500, 500, 500, 500, 500],
        );
        const payload = JSON.parse(received[0].body) as { id: string; event: string };
        assert.equal(payload.event, 'alert.fired');
        assert.deepEqual(
          new Set(received.map((r) => r.headers['faultline-delivery'])),
          new Set([payload.id]),
        );
      } finally {
        failNext = 0;
        await alerts.stop();
      }
    });

    it('is sent when the receiver recovers by the retry, with the same delivery id on every request', async function () {
      this.timeout(40_000);
      received.length = 0;
      failNext = 4;
      const alerts = await alertSetup({ allowPrivateNetworks: true });
      try {
        await alerts.fire();
        await settled(alerts.actions);
        assert.equal((await alerts.actions())[0].status, 'sent');
        assert.deepEqual(
          received.map((r) => r.status),
          [500, 500, 500, 500, 204],
        );
        const payload = JSON.parse(received[4].body) as { id: string; alert: { id: string } };
        assert.equal(payload.id, payload.alert.id, 'the delivery id is the alert id');
        for (const r of received) {
          assert.equal(r.headers['faultline-delivery'], payload.id);
          assert.ok(signatureValid(String(r.headers['faultline-signature']), r.body), 'signature verifies');
        }
      } finally {
        failNext = 0;
        await alerts.stop();
      }
    });

    it('fails at once, without retries, when the installation refuses the destination', async function () {
      this.timeout(40_000);
      received.length = 0;
      const alerts = await alertSetup({ allowPrivateNetworks: false });
      try {
        await alerts.fire();
        await settled(alerts.actions);
        const [action] = await alerts.actions();
        assert.equal(action.status, 'failed');
        assert.match(action.error ?? '', /private, loopback or link-local/);
        assert.deepEqual(received, []);
      } finally {
        await alerts.stop();
      }
    });
  });
});
