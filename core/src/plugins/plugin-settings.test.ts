import assert from 'node:assert/strict';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { z } from 'zod';
import type { Knex } from 'knex';
import { definePlugin, secret, withTag, type AlertNotification } from '@faultline/plugin-sdk';
import { seedAccount, startApiServer, tokenWithScopes, type ApiServer } from '../api/api-test-kit';
import { deriveKey, SecretBox } from '../auth';
import { EventPartitions } from '../db';
import { PipelineWorker } from '../pipeline';
import { describeEachDatabase } from '../testing/databases';
import { PluginAlertActions } from './alert-actions';
import { pluginServices } from './plugin-services';
import { discoverBuiltins } from './builtins';
import { PluginFailures } from './failures';
import { PluginHost } from './host';
import { PluginAdmin, type PluginView } from './plugin-admin';
import { PLUGIN_SETTINGS_PURPOSE, PluginSettingsStore } from './settings';

const silent = pino({ level: 'silent' });
const SECRET_TOKEN = 'xoxb-very-secret-token-1234';

const chat = definePlugin({
  id: 'chat',
  version: '1.2.0',
  hostVersion: '*',
  description: 'Posts alerts to a chat room',
  configSchema: z.object({
    room: z.string().min(2),
    token: secret(z.string().min(10)),
    mentions: z.boolean().default(false),
  }),
  actionConfigSchema: z.strictObject({ channel: z.string().startsWith('#') }),
  register(env) {
    env.registerInit({
      deps: {},
      init: () => ({ hooks: { onAlert: () => undefined, onIssueCreated: () => undefined } }),
    });
  },
});

const quiet = definePlugin({
  id: 'quiet',
  version: '1.0.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({ deps: {}, init: () => ({ hooks: { onIssueCreated: () => undefined } }) });
  },
});

interface Answer {
  status: number;
  body: unknown;
}

describeEachDatabase('plugin settings per organization and project', (ctx) => {
  let knex: Knex;
  let host: PluginHost;
  let settings: PluginSettingsStore;
  let failures: PluginFailures;
  let api: ApiServer;
  let token: string;
  let readOnly: string;
  let projectId: number;
  let organizationId: number;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'shop', email: 'o@acme.io' });
    token = seeded.token;
    projectId = seeded.projectId;
    organizationId = (await knex('projects').where('id', projectId).first('organization_id')).organization_id;
    readOnly = await tokenWithScopes(knex, 'o@acme.io', ['org:read', 'project:read']);
    const secretKey = randomBytes(32);
    settings = new PluginSettingsStore(knex, new SecretBox(deriveKey(secretKey, PLUGIN_SETTINGS_PURPOSE)));
    failures = new PluginFailures(knex, silent);
    // `chat` is a built-in here (off until turned on); `quiet` is listed (on everywhere).
    host = await PluginHost.start([quiet], { knex, log: silent, settings, failures, builtins: [chat] });
    assert.deepEqual(host.skipped, []);

    api = await startApiServer(knex, { plugins: new PluginAdmin(host, settings) });
  });

  after(async () => {
    await api?.close();
  });

  async function call(method: string, path: string, body?: unknown, bearer = token): Promise<Answer> {
    const { status, body: answer } = await api.request(method, path, body, bearer);
    return { status, body: answer };
  }

  it('lists the plugins: built-ins off, listed ones on, with their config fields and secret marks', async () => {
    const answer = await call('GET', '/api/0/organizations/acme/plugins/');
    assert.equal(answer.status, 200);
    const list = answer.body as PluginView[];
    const byId = new Map(list.map((p) => [p.id, p]));
    assert.equal(byId.get('chat')?.enabled, false);
    assert.equal(byId.get('chat')?.builtin, true);
    assert.equal(byId.get('chat')?.hasAlertAction, true);
    assert.equal(byId.get('chat')?.description, 'Posts alerts to a chat room');
    assert.deepEqual(byId.get('chat')?.configFields, [
      { name: 'room', secret: false, installationOnly: false },
      { name: 'token', secret: true, installationOnly: false },
      { name: 'mentions', secret: false, installationOnly: false },
    ]);
    assert.equal(byId.get('quiet')?.enabled, true);
    const action = byId.get('chat')?.actionConfigSchema as { properties: Record<string, { type: string }> };
    assert.deepEqual(Object.keys(action.properties), ['channel']);
    assert.equal(action.properties.channel.type, 'string');
    const config = byId.get('chat')?.configSchema as { properties: Record<string, { writeOnly?: boolean }> };
    assert.equal(config.properties.token.writeOnly, true, 'a secret is write-only');
    assert.equal(config.properties.room.writeOnly, undefined);
    assert.equal(byId.get('quiet')?.actionConfigSchema, null, 'no alert action');
    assert.equal(byId.get('quiet')?.configSchema, null, 'no config');
  });

  it("tells a rule editor the triggers, filters and the plugins' alert actions with their JSON Schemas", async () => {
    const answer = await call('GET', '/api/0/projects/acme/shop/rules/configuration/', undefined, readOnly);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const configuration = answer.body as {
      conditions: { id: string; label: string; schema: { properties: Record<string, unknown> } }[];
      filters: { id: string; label: string }[];
      actions: { plugin: string; enabled: boolean; configSchema: Record<string, unknown> | null }[];
    };
    assert.deepEqual(
      configuration.conditions.map((c) => c.id),
      [
        'issue.created',
        'issue.regressed',
        'issue.state_changed',
        'event_frequency',
        'event_unique_user_frequency',
      ],
    );
    const frequency = configuration.conditions.find((c) => c.id === 'event_frequency')!;
    assert.equal(frequency.label, 'An issue is seen more than a number of times');
    assert.deepEqual(frequency.schema.properties.id, { type: 'string', const: 'event_frequency' });
    assert.deepEqual((frequency.schema.properties.interval as { enum: number[] }).enum, [1, 5, 15, 60, 1440]);
    assert.deepEqual(
      configuration.filters.map((f) => f.id),
      ['level', 'issue_age', 'times_seen', 'environment', 'release', 'tag', 'query'],
    );
    // Only plugins with an alert action; chat is a built-in nobody turned on yet.
    assert.deepEqual(
      configuration.actions.map((a) => [a.plugin, a.enabled]),
      [['chat', false]],
    );
    assert.deepEqual(configuration.actions[0].configSchema?.required, ['channel']);
  });

  it('stores config per organization and project: secrets encrypted at rest and never returned', async () => {
    const put = await call('PUT', '/api/0/organizations/acme/plugins/chat/', {
      enabled: true,
      config: { room: 'ops', token: SECRET_TOKEN },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const view = put.body as PluginView;
    assert.equal(view.enabled, true);
    assert.deepEqual(view.config, { room: 'ops', token: { set: true } });
    assert.doesNotMatch(JSON.stringify(view), /very-secret/);

    // At rest: the secret is sealed, not in the row as text anywhere.
    const raw = await knex('plugin_settings').where({ plugin_id: 'chat' }).whereNull('project_id').first();
    const rowText = JSON.stringify(raw);
    assert.doesNotMatch(rowText, /very-secret/);
    const sealed = (typeof raw.secrets === 'string' ? JSON.parse(raw.secrets) : raw.secrets) as Record<
      string,
      string
    >;
    assert.match(sealed.token, /^v1\./);

    // The project overrides one field and turns mentions on; the secret is inherited.
    const project = await call('PUT', '/api/0/projects/acme/shop/plugins/chat/', {
      config: { room: 'shop-alerts', mentions: true },
    });
    assert.equal(project.status, 200, JSON.stringify(project.body));
    assert.deepEqual((project.body as PluginView).config, {
      room: 'shop-alerts',
      token: { set: true },
      mentions: true,
    });
    assert.deepEqual((project.body as PluginView).overrides, { room: 'shop-alerts', mentions: true });
    const read = await call('GET', '/api/0/projects/acme/shop/plugins/chat/', undefined, readOnly);
    assert.equal(read.status, 200);
    assert.deepEqual((read.body as PluginView).config, project.body && (project.body as PluginView).config);

    // What the plugin gets for the project: merged field by field, validated, secret decrypted.
    assert.deepEqual(await host.configFor('chat', projectId), {
      room: 'shop-alerts',
      token: SECRET_TOKEN,
      mentions: true,
    });

    // The audit log names the fields, never the values.
    const audit = await knex('audit_log').where({ organization_id: organizationId, event: 'org.edit' });
    assert.ok(audit.length >= 1);
    assert.doesNotMatch(JSON.stringify(audit), /very-secret/);
  });

  it('refuses an invalid config with a 400 naming the field', async () => {
    const tooShort = await call('PUT', '/api/0/projects/acme/shop/plugins/chat/', { config: { room: 'x' } });
    assert.equal(tooShort.status, 400);
    assert.match(JSON.stringify(tooShort.body), /config\.room/);
    const unknown = await call('PUT', '/api/0/organizations/acme/plugins/chat/', {
      config: { colour: 'red' },
    });
    assert.equal(unknown.status, 400);
    assert.match(JSON.stringify(unknown.body), /config\.colour: is not a setting of this plugin/);
    const wrongType = await call('PUT', '/api/0/organizations/acme/plugins/chat/', {
      config: { mentions: 'yes' },
    });
    assert.equal(wrongType.status, 400);
    assert.match(JSON.stringify(wrongType.body), /config\.mentions/);
    // Nothing of the refused changes was kept.
    assert.equal(((await host.configFor('chat', projectId)) as { room: string }).room, 'shop-alerts');
  });

  it('needs a write scope to change settings, and answers 404 for a plugin that is not loaded', async () => {
    const refused = await call(
      'PUT',
      '/api/0/organizations/acme/plugins/chat/',
      { enabled: false },
      readOnly,
    );
    assert.equal(refused.status, 403);
    const missing = await call('GET', '/api/0/organizations/acme/plugins/nope/');
    assert.equal(missing.status, 404);
  });

  it('checks alert actions: unknown plugin, no alert action, disabled for the project, invalid config', async () => {
    const actions = new PluginAlertActions(host, 1000);
    assert.match((await actions.check('nope', projectId, {})) ?? '', /unknown plugin "nope"/);
    assert.match((await actions.check('quiet', projectId, {})) ?? '', /"quiet" offers no alert action/);
    assert.match(
      (await actions.check('chat', projectId, { channel: 'general' })) ?? '',
      /config invalid: channel .*#/,
    );
    assert.equal(await actions.check('chat', projectId, { channel: '#ops' }), undefined);

    const off = await call('PUT', '/api/0/projects/acme/shop/plugins/chat/', { enabled: false });
    assert.equal(off.status, 200);
    assert.equal((off.body as PluginView).enabled, false);
    assert.match(
      (await actions.check('chat', projectId, { channel: '#ops' })) ?? '',
      /disabled for this project/,
    );
    const notification = {
      id: 'n1',
      rule: { id: '1', name: 'r' },
      project: { id: String(projectId), slug: 'shop', name: 'shop' },
      organization: { id: String(organizationId), slug: 'acme' },
      digest: false,
      issues: [],
      config: { channel: '#ops' },
    } satisfies AlertNotification;
    await assert.rejects(actions.run('chat', notification), /disabled/);
    // Back on (following the organization again).
    await call('PUT', '/api/0/projects/acme/shop/plugins/chat/', { enabled: null });
    await actions.run('chat', notification);
  });

  it('shows failure counts from every process in the catalogue', async () => {
    await failures.record('quiet', 'hook', new Error('first'));
    await failures.record('quiet', 'hook', new Error('second'));
    await failures.record('chat', 'alert', new Error('timeout'));
    const list = (await call('GET', '/api/0/organizations/acme/plugins/', undefined, readOnly))
      .body as PluginView[];
    const byId = new Map(list.map((p) => [p.id, p]));
    assert.deepEqual(byId.get('quiet')?.failures, { processEvent: 0, hook: 2, alert: 0, task: 0 });
    assert.equal(byId.get('chat')?.failures.alert, 1);
  });

  it('runs processEvent only for projects the plugin is on in', async () => {
    const tagger = definePlugin({
      id: 'tagger',
      version: '1.0.0',
      hostVersion: '*',
      register: (env) =>
        env.registerInit({
          deps: {},
          init: () => ({ hooks: { processEvent: (event) => withTag(event, 'tagged', 'yes') } }),
        }),
    });
    const other = await seedAccount(knex, {
      organization: 'muted',
      project: 'quiet-app',
      email: 'm@muted.io',
    });
    const tagging = await PluginHost.start([tagger], { knex, log: silent, settings });
    // `tagger` is not behind this test's API (which serves `host`): turned off through the store.
    const muted = await knex('projects')
      .where('id', other.projectId)
      .first<{ organization_id: number }>('organization_id');
    await knex.transaction((trx) =>
      settings.write(
        trx,
        { organizationId: muted.organization_id, projectId: other.projectId, pluginId: 'tagger' },
        { enabled: false, config: {}, secrets: {} },
      ),
    );
    settings.invalidate();
    const worker = new PipelineWorker(knex, new EventPartitions(knex), silent, {
      batchSize: 10,
      concurrency: 1,
      processEvent: (event, trx, project) => tagging.processEvent(event, trx, project),
    });
    const ids = { on: randomUUID().replaceAll('-', ''), off: randomUUID().replaceAll('-', '') };
    await knex('raw_events').insert([
      {
        project_id: projectId,
        received_at: new Date(),
        payload: JSON.stringify({ event_id: ids.on, message: 'a' }),
      },
      {
        project_id: other.projectId,
        received_at: new Date(),
        payload: JSON.stringify({ event_id: ids.off, message: 'b' }),
      },
    ]);
    assert.equal(await worker.drain(), 2);
    const tagsOf = async (eventId: string) => {
      const row = await knex('events').where({ event_id: eventId }).first('data');
      const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as {
        tags?: [string, string][];
      };
      return Object.fromEntries(data.tags ?? []) as Record<string, string>;
    };
    assert.equal((await tagsOf(ids.on)).tagged, 'yes');
    assert.equal((await tagsOf(ids.off)).tagged, undefined);
  });

  it('finds the built-ins under extensions/ and loads one without config, off until turned on', async () => {
    const builtins = discoverBuiltins();
    assert.ok(
      builtins.some((b) => b.endsWith(`${path.sep}webhooks`)),
      builtins.join(', '),
    );
    // The services a real host gives (the webhooks plugin asks for http and issues).
    const services = pluginServices({
      knex,
      publicUrl: 'http://127.0.0.1:8000',
      allowPrivateNetworks: false,
    });
    const loaded = await PluginHost.start([], { knex, log: silent, settings, builtins, services });
    assert.deepEqual(loaded.skipped, []);
    const webhooks = loaded.plugin('webhooks');
    assert.equal(webhooks?.builtin, true);
    assert.equal(await loaded.isEnabled('webhooks', projectId), false);
    // Its config can only come per organization/project; until then, using it says what is missing.
    await assert.rejects(
      loaded.configFor('webhooks', projectId),
      /config in effect for project \d+ is invalid: urls/,
    );
    // Also named in PLUGINS (by package name): loaded once, as a listed plugin, on everywhere.
    const listed = await PluginHost.start(['@faultline/extension-webhooks'], {
      knex,
      log: silent,
      settings,
      builtins,
      services,
      rawConfigs: {
        WEBHOOKS: JSON.stringify({ urls: ['https://example.com/hook'], secret: 'x'.repeat(16) }),
      },
    });
    assert.deepEqual(listed.skipped, []);
    assert.deepEqual(
      listed.loaded.filter((p) => p.id === 'webhooks').map((p) => p.builtin),
      [false],
    );
    assert.equal(await listed.isEnabled('webhooks', projectId), true);
  });
});
