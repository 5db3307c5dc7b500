import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { z } from 'zod';
import type { Knex } from 'knex';
import { definePlugin, installationOnly, isInstallationOnly, secret } from '@faultline/plugin-sdk';
import { seedAccount, startApiServer, type ApiServer } from '../api/api-test-kit';
import { deriveKey, SecretBox } from '../auth';
import { normalizeEvent } from '../events';
import { describeEachDatabase } from '../testing/databases';
import { PluginFailures } from './failures';
import { PluginHost } from './host';
import { PluginAdmin, type PluginView } from './plugin-admin';
import { PLUGIN_SETTINGS_PURPOSE, PluginSettingsStore } from './settings';

const silent = pino({ level: 'silent' });

/** A mail plugin whose server may only be chosen by whoever runs Faultline. */
const mailer = definePlugin({
  id: 'mail-out',
  version: '1.0.0',
  hostVersion: '*',
  configSchema: z.object({
    smtpUrl: installationOnly(secret(z.string().startsWith('smtp://'))),
    relayHost: installationOnly(z.string().optional()),
    from: z.string().default('faultline@example.com'),
    subjectPrefix: z.string().default('[Faultline]'),
  }),
  register(env) {
    env.registerInit({ deps: {}, init: () => ({ hooks: { onAlert: () => undefined } }) });
  },
});

/** Listed (on by default), and failing every event it sees. */
const failing = definePlugin({
  id: 'failing',
  version: '1.0.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: {},
      init: () => ({
        hooks: {
          processEvent: () => {
            throw new Error('cannot enrich');
          },
        },
      }),
    });
  },
});

describeEachDatabase('plugin settings: who may set what', (ctx) => {
  let knex: Knex;
  let host: PluginHost;
  let settings: PluginSettingsStore;
  let api: ApiServer;
  let token: string;
  let projectId: number;
  let organizationId: number;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'shop', email: 'o@acme.io' });
    token = seeded.token;
    projectId = seeded.projectId;
    organizationId = (await knex('projects').where('id', projectId).first('organization_id')).organization_id;
    const secretKey = randomBytes(32);
    settings = new PluginSettingsStore(knex, new SecretBox(deriveKey(secretKey, PLUGIN_SETTINGS_PURPOSE)));
    host = await PluginHost.start([mailer, failing], {
      knex,
      log: silent,
      settings,
      failures: new PluginFailures(knex, silent),
      rawConfigs: { MAIL_OUT: JSON.stringify({ smtpUrl: 'smtp://mail.internal:25' }) },
    });
    assert.deepEqual(host.skipped, []);

    api = await startApiServer(knex, { plugins: new PluginAdmin(host, settings) });
  });

  after(async () => {
    await host?.stop();
    await api?.close();
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const { status, body: answer } = await api.request(method, path, body, token);
    return { status, body: answer };
  }

  const ORG = '/api/0/organizations/acme/plugins/mail-out/';
  const PROJECT = '/api/0/projects/acme/shop/plugins/mail-out/';

  it('refuses an installation-only field from the organization and project APIs, naming the field', async () => {
    for (const path of [ORG, PROJECT]) {
      for (const config of [{ smtpUrl: 'smtp://10.0.0.5:25' }, { relayHost: '169.254.169.254' }]) {
        const answer = await call('PUT', path, { config });
        assert.equal(answer.status, 400, path);
        const field = Object.keys(config)[0];
        assert.match(
          (answer.body as { detail: string }).detail,
          new RegExp(
            `config\\.${field}: can only be set in the installation config \\(PLUGIN_CONFIG_MAIL_OUT\\)`,
          ),
        );
      }
    }
    // Other fields can still be set per organization; the installation's server stays in effect.
    const ok = await call('PUT', ORG, { config: { subjectPrefix: '[acme]' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(await host.configFor('mail-out', projectId), {
      smtpUrl: 'smtp://mail.internal:25',
      from: 'faultline@example.com',
      subjectPrefix: '[acme]',
    });
  });

  it('ignores an installation-only value stored before the field was marked, and lets the API clear it', async () => {
    await knex.transaction((trx) =>
      settings.write(
        trx,
        { organizationId, projectId, pluginId: 'mail-out' },
        { enabled: null, config: { relayHost: '10.1.2.3' }, secrets: { smtpUrl: 'smtp://10.0.0.5:25' } },
      ),
    );
    settings.invalidate();
    const config = (await host.configFor('mail-out', projectId)) as Record<string, unknown>;
    assert.equal(config.smtpUrl, 'smtp://mail.internal:25');
    assert.equal(config.relayHost, undefined);
    const cleared = await call('PUT', PROJECT, { config: { relayHost: null, smtpUrl: null } });
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
    assert.deepEqual((cleared.body as PluginView).overrides, {});
  });

  it('shows which fields are installation-only in the catalogue', async () => {
    const list = (await call('GET', '/api/0/organizations/acme/plugins/')).body as PluginView[];
    assert.deepEqual(list.find((p) => p.id === 'mail-out')?.configFields, [
      { name: 'smtpUrl', secret: true, installationOnly: true },
      { name: 'relayHost', secret: false, installationOnly: true },
      { name: 'from', secret: false, installationOnly: false },
      { name: 'subjectPrefix', secret: false, installationOnly: false },
    ]);
    assert.equal(isInstallationOnly(z.string()), false);
  });

  it('describes the config as JSON Schema: secrets writeOnly, installation-only fields readOnly', async () => {
    const list = (await call('GET', '/api/0/organizations/acme/plugins/')).body as PluginView[];
    const schema = list.find((p) => p.id === 'mail-out')?.configSchema as {
      properties: Record<string, Record<string, unknown>>;
      required?: string[];
    };
    const { type, writeOnly, readOnly } = schema.properties.smtpUrl;
    assert.deepEqual({ type, writeOnly, readOnly }, { type: 'string', writeOnly: true, readOnly: true });
    assert.deepEqual(schema.properties.relayHost, { type: 'string', readOnly: true });
    assert.deepEqual(schema.properties.from, { type: 'string', default: 'faultline@example.com' });
    assert.deepEqual(schema.required, ['smtpUrl'], 'input side: a field with a default may be left out');
  });

  it('an organization’s “off” cannot be overridden by a project; a project can turn off or on otherwise', async () => {
    const enabled = async () => host.isEnabled('mail-out', projectId);
    const put = async (path: string, value: boolean | null) => {
      const answer = await call('PUT', path, { enabled: value });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body as PluginView;
    };
    // No settings: a listed plugin is on. The project may turn it off.
    assert.equal(await enabled(), true);
    assert.equal((await put(PROJECT, false)).enabled, false);
    // The organization has it on: the project's "off" still holds.
    await put(ORG, true);
    assert.equal(await enabled(), false);
    // The organization turns it off: the project's "on" does not bring it back.
    await put(ORG, false);
    const projectOn = await put(PROJECT, true);
    assert.equal(projectOn.enabled, false);
    assert.equal(projectOn.enabledSetting, true);
    assert.equal(await enabled(), false);
    // The organization back to no setting: the project's "on" applies.
    await put(ORG, null);
    assert.equal(await enabled(), true);
    await put(PROJECT, null);
  });

  it('keeps both of two concurrent changes of different fields', async function () {
    const first = await call('PUT', ORG, { config: { from: 'a@acme.io' } });
    assert.equal(first.status, 200);
    // On Postgres, hold the row so that both requests are in flight at once before either can write.
    let release: (() => Promise<void>) | undefined;
    if (ctx.db.kind === 'postgres') {
      const holder = await knex.transaction();
      await holder('plugin_settings')
        .where({ organization_id: organizationId, plugin_id: 'mail-out' })
        .whereNull('project_id')
        .forUpdate()
        .select('id');
      release = async () => {
        await holder.commit();
      };
    }
    const puts = [
      call('PUT', ORG, { config: { from: 'alerts@acme.io' } }),
      call('PUT', ORG, { config: { subjectPrefix: '[shop]' } }),
    ];
    if (release) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await release();
    }
    for (const answer of await Promise.all(puts))
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const view = (await call('GET', ORG)).body as PluginView;
    assert.equal(view.overrides.from, 'alerts@acme.io');
    assert.equal(view.overrides.subjectPrefix, '[shop]');
  });

  it('reads failure counts for the catalogue without writing to the database', async () => {
    const event = normalizeEvent(
      { event_id: randomUUID().replaceAll('-', ''), message: 'x' },
      { receivedAt: Date.now() / 1000 },
    );
    await host.processEvent(event);
    await host.processEvent(event);
    const list = (await call('GET', '/api/0/organizations/acme/plugins/')).body as PluginView[];
    assert.equal(list.find((p) => p.id === 'failing')?.failures.processEvent, 2);
    // Shown from this process's memory: the GET wrote nothing.
    assert.equal((await knex('plugin_failures').where('plugin_id', 'failing')).length, 0);
    // Written shortly after, outside any request.
    const deadline = Date.now() + 5000;
    while ((await knex('plugin_failures').where('plugin_id', 'failing')).length === 0) {
      assert.ok(Date.now() < deadline, 'failure counts were written');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const after = (await call('GET', '/api/0/organizations/acme/plugins/')).body as PluginView[];
    assert.equal(after.find((p) => p.id === 'failing')?.failures.processEvent, 2);
  });
});
