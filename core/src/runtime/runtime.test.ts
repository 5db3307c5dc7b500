import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AccountsRepository, bootstrap } from '../accounts';
import { SECRET_KEY_FILE } from '../auth';
import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { openRuntime, startServices, type RunningServer, type Runtime } from './runtime';
import { TOKENS } from './tokens';

describe('faultline runtime', function () {
  this.timeout(60_000);
  let dataDir: string;
  let runtime: Runtime | undefined;
  let running: RunningServer | undefined;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-runtime-'));
  });
  afterEach(async () => {
    await running?.stop();
    await runtime?.close();
    running = undefined;
    runtime = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('with DATABASE_URL, refuses to open without SECRET_KEY, naming it', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://127.0.0.1:1/none', DATA_DIR: dataDir });
    await assert.rejects(
      openRuntime(config, createLogger('silent')),
      /SECRET_KEY is required with DATABASE_URL/,
    );
  });

  it('embedded, generates DATA_DIR/secret.key and registers the auth services', async () => {
    runtime = await openRuntime(loadConfig({ DATA_DIR: dataDir }), createLogger('silent'));
    assert.ok(fs.existsSync(path.join(dataDir, SECRET_KEY_FILE)));
    assert.ok(runtime.container.resolve(TOKENS.Auth).sessions);
  });

  it('a key disabled through the API is refused by ingestion at once, not after the cache lifetime', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    runtime = await openRuntime(config, createLogger('silent'));
    running = await startServices(runtime, { http: true, workers: false });
    const setup = await bootstrap(runtime.db.knex, {
      organization: 'acme',
      team: 'acme-team',
      project: 'app',
      platform: 'javascript',
      email: 'owner@acme.io',
      publicUrl: running.url,
    });
    const publicKey = decodeURIComponent(new URL(setup.dsn).username);
    // The DSN carries the public key only, which is all SDKs need (the secret is stored hashed).
    assert.equal(new URL(setup.dsn).password, '');
    const store = () =>
      fetch(`${running!.url}/api/${setup.projectId}/store/?sentry_key=${publicKey}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ event_id: randomUUID().replace(/-/g, ''), message: 'hello' }),
      });
    // The first event caches the key as valid.
    assert.equal((await store()).status, 200);
    const disabled = await fetch(`${running.url}/api/0/projects/acme/app/keys/${publicKey}/`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${setup.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ isActive: false }),
    });
    assert.equal(disabled.status, 200);
    assert.equal((await store()).status, 403);
    const key = await new AccountsRepository(runtime.db.knex).findKeyByPublicKey(publicKey);
    assert.equal(key?.is_active, false);
  });
  it('starts with the plugins of PLUGINS, skipping a broken one; a hanging plugin does not stop ingestion', async () => {
    const fixtures = path.join(__dirname, '..', 'plugins', 'test-fixtures');
    const example = path.join(
      __dirname,
      '..',
      '..',
      '..',
      'plugin-sdk',
      'src',
      'examples',
      'tag-and-drop.ts',
    );
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      PLUGINS: `${path.join(fixtures, 'hangs')}, ${example}, ${path.join(fixtures, 'wrong-host')}`,
      PLUGIN_CONFIG_TAG_AND_DROP: '{"team":"payments"}',
      PLUGIN_EVENT_BUDGET_MS: '30',
    });
    runtime = await openRuntime(config, createLogger('silent'));
    running = await startServices(runtime, { http: true, workers: true });
    // The built-ins of extensions/ load too (off until an organization turns them on).
    assert.deepEqual(
      running.plugins.loaded.filter((p) => !p.builtin).map((p) => p.id),
      ['hangs', 'tag-and-drop'],
    );
    assert.match(running.plugins!.skipped[0].reason, /supports Faultline \^99\.0\.0/);
    const setup = await bootstrap(runtime.db.knex, {
      organization: 'acme',
      team: 'acme-team',
      project: 'app',
      platform: 'javascript',
      email: 'owner@acme.io',
      publicUrl: running.url,
    });
    const publicKey = decodeURIComponent(new URL(setup.dsn).username);
    const send = (eventId: string, url: string) =>
      fetch(`${running!.url}/api/${setup.projectId}/store/?sentry_key=${publicKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event_id: eventId, message: 'Payment declined', request: { url } }),
      });
    const kept = randomUUID().replaceAll('-', '');
    const health = randomUUID().replaceAll('-', '');
    assert.equal((await send(health, 'https://app.example.com/health')).status, 200);
    assert.equal((await send(kept, 'https://app.example.com/pay')).status, 200);
    let row: { data: unknown } | undefined;
    for (let i = 0; i < 200 && !row; i++) {
      row = await runtime.db.knex('events').where({ event_id: kept }).first();
      if (!row) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(row, 'the event was stored');
    const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as {
      tags: [string, string][];
    };
    assert.deepEqual(
      data.tags.find(([k]) => k === 'team'),
      ['team', 'payments'],
    );
    assert.equal(await runtime.db.knex('events').where({ event_id: health }).first(), undefined);
    assert.ok(running.plugins!.healthOf('hangs')!.failures >= 1);
  });

  /** A process with the notifier test plugin, an account, and a client of its API with the owner's token. */
  async function startWithNotifier(workers: boolean) {
    const notifier = path.join(__dirname, '..', 'plugins', 'test-fixtures', 'notifier');
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', PLUGINS: notifier });
    runtime = await openRuntime(config, createLogger('silent'));
    const started = await startServices(runtime, { http: true, workers });
    running = started;
    const setup = await bootstrap(runtime.db.knex, {
      organization: 'acme',
      team: 'acme-team',
      project: 'app',
      platform: 'javascript',
      email: 'owner@acme.io',
      publicUrl: started.url,
    });
    const api = (method: string, route: string, body?: unknown) =>
      fetch(`${started.url}${route}`, {
        method,
        headers: { Authorization: `Bearer ${setup.token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    return { runtime, running: started, setup, api };
  }

  it('an HTTP-only process loads the plugins: routes served, catalogue listed, alert actions checked', async () => {
    const { running, api } = await startWithNotifier(false);

    const echo = await fetch(`${running.url}/api/0/plugins/notifier/echo`, { method: 'POST', body: 'ping' });
    assert.equal(echo.status, 200);
    assert.deepEqual(await echo.json(), { got: 'ping' });

    const catalogue = (await (await api('GET', '/api/0/organizations/acme/plugins/')).json()) as {
      id: string;
      enabled: boolean;
      hasAlertAction: boolean;
    }[];
    const listed = catalogue.find((p) => p.id === 'notifier');
    assert.deepEqual(listed && { enabled: listed.enabled, hasAlertAction: listed.hasAlertAction }, {
      enabled: true,
      hasAlertAction: true,
    });

    const rule = (actions: unknown[]) => ({
      name: 'New issues',
      conditions: [{ id: 'issue.created' }],
      actions,
    });
    const accepted = await api(
      'POST',
      '/api/0/projects/acme/app/rules/',
      rule([{ plugin: 'notifier', config: { room: '#ops' } }]),
    );
    assert.equal(accepted.status, 201, await accepted.clone().text());
    const badConfig = await api(
      'POST',
      '/api/0/projects/acme/app/rules/',
      rule([{ plugin: 'notifier', config: { room: 'ops' } }]),
    );
    assert.equal(badConfig.status, 400);
    assert.match(await badConfig.text(), /room/);
    // Turned off for the project: rules may not name it there any more.
    const off = await api('PUT', '/api/0/projects/acme/app/plugins/notifier/', { enabled: false });
    assert.equal(off.status, 200);
    const refused = await api(
      'POST',
      '/api/0/projects/acme/app/rules/',
      rule([{ plugin: 'notifier', config: { room: '#ops' } }]),
    );
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /disabled for this project/);
  });

  it("worker processes run plugins' issue hooks and alert actions through the job queue", async () => {
    const { runtime, running, setup, api } = await startWithNotifier(true);
    const created = await api('POST', '/api/0/projects/acme/app/rules/', {
      name: 'New issues',
      conditions: [{ id: 'issue.created' }],
      actions: [{ plugin: 'notifier', config: { room: '#ops' } }],
    });
    assert.equal(created.status, 201, await created.clone().text());
    const publicKey = decodeURIComponent(new URL(setup.dsn).username);
    const sent = await fetch(`${running.url}/api/${setup.projectId}/store/?sentry_key=${publicKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_id: randomUUID().replaceAll('-', ''), message: 'Payment declined' }),
    });
    assert.equal(sent.status, 200);
    const stored = async (prefix: string) =>
      runtime.db
        .knex('plugin_storage')
        .where('plugin_id', 'notifier')
        .andWhereLike('key', `${prefix}%`)
        .select<{ key: string; value: unknown }[]>('key', 'value');
    let rows: { key: string; value: unknown }[] = [];
    for (let i = 0; i < 400 && rows.length < 2; i++) {
      rows = [...(await stored('created:')), ...(await stored('alert:'))];
      if (rows.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const issue = await runtime.db.knex('issues').where('project_id', setup.projectId).first('id');
    assert.deepEqual(
      rows.map((r) => r.key.split(':')[0]).sort(),
      ['alert', 'created'],
      'both the hook and the alert action ran',
    );
    assert.equal(rows.find((r) => r.key.startsWith('created:'))?.key, `created:${issue.id}`);
    const alert = rows.find((r) => r.key.startsWith('alert:'))!.value;
    assert.deepEqual(typeof alert === 'string' ? JSON.parse(alert) : alert, { room: '#ops', issues: 1 });
  });
});
