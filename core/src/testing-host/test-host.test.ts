import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { coreServices, definePlugin } from '@faultline/plugin-sdk';
import type { TestHost } from '@faultline/plugin-sdk/testing';
import { startTestHost } from './test-host';

/** Comments on every new issue, from its onIssueCreated hook (a job on the queue), as configured. */
const greeterConfig = z.object({ greeting: z.string().default('Seen by greeter') });
const greeter = definePlugin({
  id: 'greeter',
  version: '1.0.0',
  hostVersion: '*',
  configSchema: greeterConfig,
  register(env) {
    env.registerInit({
      deps: { issues: coreServices.issues, config: coreServices.config },
      init: ({ issues, config }) => ({
        hooks: {
          async onIssueCreated({ issueId, projectId }) {
            const { greeting } = greeterConfig.parse(await config.forProject(projectId));
            await issues.comment(issueId, greeting);
          },
        },
      }),
    });
  },
});

/** An alert action that comments on the alerted issues (a job of the alert workers). */
const pager = definePlugin({
  id: 'pager',
  version: '1.0.0',
  hostVersion: '*',
  actionConfigSchema: z.object({ prefix: z.string() }),
  register(env) {
    env.registerInit({
      deps: { issues: coreServices.issues },
      init: ({ issues }) => ({
        hooks: {
          async onAlert(alert) {
            for (const { issue } of alert.issues)
              await issues.comment(issue.id, `${String(alert.config.prefix)}: ${alert.rule.name}`);
          },
        },
      }),
    });
  },
});

/** Posts to its configured target every night, from a scheduled task. */
const pingerConfig = z.object({ target: z.url() });
const pinger = definePlugin({
  id: 'pinger',
  version: '1.0.0',
  hostVersion: '*',
  configSchema: pingerConfig,
  register(env) {
    env.registerInit({
      deps: { http: coreServices.http, scheduler: coreServices.scheduler, config: coreServices.config },
      init: ({ http, scheduler, config }) => {
        const { target } = pingerConfig.parse(config.value);
        scheduler.schedule('nightly-ping', '0 3 * * *', async () => {
          await http.fetch(target, { method: 'POST', body: 'ping' });
        });
        return { hooks: {} };
      },
    });
  },
});

describe('plugin test host', function () {
  this.timeout(60_000);
  let host: TestHost | undefined;

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('waitForIdle resolves only after the issue hooks and alert actions the events caused have run', async () => {
    host = await startTestHost({
      plugins: [greeter, pager],
      config: { greeter: { greeting: 'Hello from the config option' } },
    });
    const project = `/api/0/projects/${host.organization.slug}/${host.project.slug}`;
    const rule = await host.api(`${project}/rules/`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'Every new issue',
        conditions: [{ id: 'issue.created' }],
        actions: [{ plugin: 'pager', config: { prefix: 'Paged' } }],
      }),
    });
    assert.equal(rule.status, 201, await rule.clone().text());
    await host.sendEvent({ message: 'Payment declined', level: 'error' });
    await host.waitForIdle();
    const [issue] = (await (await host.api(`${project}/issues/`)).json()) as { id: string }[];
    const comments = (await (await host.api(`/api/0/issues/${issue.id}/comments/`)).json()) as {
      data: { text: string };
    }[];
    assert.deepEqual(comments.map((c) => c.data.text).sort(), [
      'Hello from the config option',
      'Paged: Every new issue',
    ]);
  });

  it('serves the REST API with its token and ingestion with its DSN, until closed', async () => {
    host = await startTestHost({ plugins: [] });
    const dsn = new URL(host.dsn);
    assert.equal(dsn.origin, host.url);
    assert.equal(dsn.pathname, `/${host.project.id}`);
    const projectPath = `/api/0/projects/${host.organization.slug}/${host.project.slug}/`;
    assert.equal((await host.api(projectPath)).status, 200);
    assert.equal((await fetch(`${host.url}${projectPath}`)).status, 401);
    await host.sendEvent({ message: 'hello' });

    await host.close();
    await assert.rejects(fetch(`${host.url}${projectPath}`));
  });

  it('runTask runs a scheduled task now, through the job queue, with the settings given', async () => {
    const received: string[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(`${req.method} ${body}`);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      host = await startTestHost({
        plugins: [pinger],
        config: { pinger: { target: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` } },
        // The receiver is on loopback, which plugins may reach only when the installation allows it.
        settings: { PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true' },
      });
      await host.runTask('pinger', 'nightly-ping');
      assert.deepEqual(received, ['POST ping']);
      await assert.rejects(host.runTask('pinger', 'hourly'), { code: 'unknown_task' });
    } finally {
      receiver.close();
    }
  });
});
