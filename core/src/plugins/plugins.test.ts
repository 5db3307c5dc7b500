import assert from 'node:assert/strict';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Knex } from 'knex';
import {
  coreServices,
  definePlugin,
  type EventsService,
  type HttpClient,
  type HttpRouter,
  type IssuesService,
} from '@faultline/plugin-sdk';
import { bootstrap } from '../accounts';
import { loadConfig } from '../config';
import { EventPartitions } from '../db';
import { PipelineWorker } from '../pipeline';
import { describeEachDatabase } from '../testing/databases';
import { PluginHost, type PluginSpec } from './host';
import { pluginServices, routesOf } from './plugin-services';

const FIXTURES = path.join(__dirname, 'test-fixtures');
const EXAMPLE = path.join(__dirname, '..', '..', '..', 'plugin-sdk', 'src', 'examples', 'tag-and-drop.ts');

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: { msg: string; plugin?: string; level: number }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

let counter = 0;
const nextId = () => (0xabc000 + ++counter).toString(16).padStart(32, '0');

function event(id: string, extra: object = {}) {
  return {
    event_id: id,
    timestamp: Date.now() / 1000,
    platform: 'node',
    release: 'shop@1.2.3',
    message: 'Payment declined',
    ...extra,
  };
}

async function enqueue(knex: Knex, projectId: number, payloads: object[]): Promise<void> {
  await knex('raw_events').insert(
    payloads.map((p) => ({ project_id: projectId, received_at: new Date(), payload: JSON.stringify(p) })),
  );
}

async function storedTags(knex: Knex, eventId: string): Promise<[string, string][] | undefined> {
  const row = await knex('events').where({ event_id: eventId }).first();
  if (!row) return undefined;
  const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as {
    tags?: [string, string][];
  };
  return data.tags ?? [];
}

const tag = (tags: [string, string][] | undefined, key: string) => tags?.find(([k]) => k === key)?.[1];

describeEachDatabase('plugin host', (ctx) => {
  let projectId: number;
  const hosts: PluginHost[] = [];

  afterEach(async () => {
    // Plugins loaded by path run on threads of their own, which end with their host.
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
  });

  before(async () => {
    const setup = await bootstrap(ctx.db.knex, {
      organization: 'acme',
      team: 'core',
      project: 'shop',
      platform: 'node',
      email: 'owner@example.com',
      publicUrl: 'http://127.0.0.1:8000',
    });
    projectId = setup.projectId;
  });

  async function run(specs: PluginSpec[], rawConfigs: Record<string, string> = {}, eventBudgetMs = 50) {
    const { log, lines } = capturingLogger();
    const host = await PluginHost.start(specs, {
      knex: ctx.db.knex,
      log,
      rawConfigs,
      eventBudgetMs,
      baseDir: FIXTURES,
    });
    hosts.push(host);
    const worker = new PipelineWorker(ctx.db.knex, new EventPartitions(ctx.db.knex), log, {
      batchSize: 50,
      concurrency: 1,
      processEvent: (e, trx, projectId) => host.processEvent(e, trx, projectId),
    });
    return { host, worker, lines };
  }

  it('runs the example plugin of the SDK guide: tags events from its config, drops health checks', async () => {
    const { host, worker } = await run([EXAMPLE], { TAG_AND_DROP: JSON.stringify({ team: 'payments' }) });
    assert.deepEqual(host.skipped, []);
    assert.deepEqual(
      host.loaded.map((p) => p.id),
      ['tag-and-drop'],
    );
    const kept = nextId();
    const health = nextId();
    await enqueue(ctx.db.knex, projectId, [
      event(kept, { request: { url: 'https://shop.example.com/checkout', method: 'POST' } }),
      event(health, { request: { url: 'https://shop.example.com/healthz', method: 'GET' } }),
    ]);
    assert.equal(await worker.drain(), 2);
    assert.equal(tag(await storedTags(ctx.db.knex, kept), 'team'), 'payments');
    assert.equal(await storedTags(ctx.db.knex, health), undefined);
    const storage = await ctx.db
      .knex('plugin_storage')
      .where({ plugin_id: 'tag-and-drop', key: 'dropped' })
      .first();
    assert.equal(typeof storage.value === 'string' ? JSON.parse(storage.value) : storage.value, 1);
    assert.equal(host.healthOf('tag-and-drop')?.failures, 0);
  });

  it('loads a third-party plugin from a folder, with its own namespaced storage', async () => {
    const { host, worker } = await run(['./third-party']);
    assert.deepEqual(
      host.loaded.map((p) => `${p.id}@${p.version}`),
      ['release-stamp@2.0.0'],
    );
    assert.ok(host.plugin('release-stamp')?.thread, 'a plugin loaded from a folder runs on its own thread');
    const id = nextId();
    await enqueue(ctx.db.knex, projectId, [event(id)]);
    await worker.drain();
    assert.equal(tag(await storedTags(ctx.db.knex, id), 'release-stamp'), 'shop@1.2.3');
    const keys = await ctx.db.knex('plugin_storage').where({ plugin_id: 'release-stamp' }).select('key');
    assert.deepEqual(
      keys.map((k) => k.key),
      ['seen'],
    );
  });

  it('skips a bad manifest, a bad config, a wrong host version and a missing plugin, each with a message', async () => {
    const { host, lines } = await run(
      [
        './bad-manifest',
        EXAMPLE,
        './wrong-host',
        './throws-on-load',
        './nowhere',
        'faultline-plugin-not-installed',
      ],
      { TAG_AND_DROP: JSON.stringify({ team: '' }) },
    );
    assert.deepEqual(host.loaded, []);
    const reasons = host.skipped.map((s) => `${path.basename(s.source)}: ${s.reason}`);
    assert.match(reasons[0], /^bad-manifest: invalid plugin manifest: id must be lowercase letters/);
    assert.match(
      reasons[1],
      /^tag-and-drop\.ts: invalid config team: .* \(set it in PLUGIN_CONFIG_TAG_AND_DROP as JSON\)/,
    );
    assert.match(
      reasons[2],
      /^wrong-host: from-the-future@1\.0\.0 supports Faultline \^99\.0\.0, but this is Faultline 0\.1\.0/,
    );
    assert.match(reasons[3], /^throws-on-load: could not be loaded: this plugin is broken at import time/);
    assert.match(reasons[4], /^nowhere: no plugin found at /);
    assert.match(
      reasons[5],
      /^faultline-plugin-not-installed: package faultline-plugin-not-installed is not installed/,
    );
    for (const reason of host.skipped.map((s) => s.reason))
      assert.ok(
        lines.some((l) => l.msg.includes(reason)),
        `logged: ${reason}`,
      );
  });

  it('skips a plugin whose module loops or exits at load time, and starts the others', async () => {
    const { log, lines } = capturingLogger();
    const started = Date.now();
    const host = await PluginHost.start(['./loops-on-load', './exits-on-load', EXAMPLE], {
      knex: ctx.db.knex,
      log,
      rawConfigs: { TAG_AND_DROP: JSON.stringify({ team: 'payments' }) },
      baseDir: FIXTURES,
      loadBudgetMs: 500,
    });
    hosts.push(host);
    assert.ok(Date.now() - started < 8000, 'the host started without waiting on the looping module');
    assert.deepEqual(
      host.loaded.map((p) => p.id),
      ['tag-and-drop'],
    );
    const reasons = host.skipped.map((s) => `${path.basename(s.source)}: ${s.reason}`);
    assert.match(reasons[0], /^loops-on-load: its module did not finish loading within 500 ms/);
    assert.match(
      reasons[1],
      /^exits-on-load: could not be loaded: its top-level code ended the thread \(exit code 3\)/,
    );
    for (const reason of host.skipped.map((s) => s.reason))
      assert.ok(
        lines.some((l) => l.msg.includes(reason)),
        `logged: ${reason}`,
      );
  });

  it('skips a plugin whose config is not JSON', async () => {
    const { host } = await run([EXAMPLE], { TAG_AND_DROP: '{team: payments' });
    assert.match(host.skipped[0].reason, /PLUGIN_CONFIG_TAG_AND_DROP is not valid JSON/);
  });

  it('isolates throwing, hanging and busy-looping processEvent hooks: events go on and are stored', async () => {
    const misbehaving = (id: string, processEvent: () => unknown) =>
      definePlugin({
        id,
        version: '1.0.0',
        hostVersion: '*',
        register: (env) =>
          env.registerInit({
            deps: {},
            init: () => ({ hooks: { processEvent: processEvent as () => null } }),
          }),
      });
    const { host, worker } = await run(
      [
        misbehaving('throws', () => {
          throw new Error('boom');
        }),
        misbehaving('hangs', () => new Promise(() => undefined)),
        misbehaving('busy-loops', () => {
          for (;;) {
            // spins until interrupted
          }
        }),
        './third-party',
      ],
      {},
      50,
    );
    assert.equal(host.loaded.length, 4);
    const ids = [nextId(), nextId()];
    await enqueue(ctx.db.knex, projectId, [event(ids[0]), event(ids[1])]);
    const started = Date.now();
    assert.equal(await worker.drain(), 2);
    // Two events through three failing plugins at 50 ms each: well under a second, not forever.
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.deepEqual(host.healthOf('release-stamp'), {
      failures: 0,
      consecutiveFailures: 0,
      pausedUntil: undefined,
    });
    for (const id of ids) assert.equal(tag(await storedTags(ctx.db.knex, id), 'release-stamp'), 'shop@1.2.3');
    for (const id of ['throws', 'hangs', 'busy-loops']) assert.equal(host.healthOf(id)?.failures, 2, id);
    assert.equal(host.healthOf('release-stamp')?.failures, 0);

    // A third failure in a row pauses the plugin; meanwhile events skip it at no cost.
    await enqueue(ctx.db.knex, projectId, [event(nextId())]);
    await worker.drain();
    assert.ok((host.healthOf('busy-loops')?.pausedUntil ?? 0) > Date.now());
    const pausedStart = Date.now();
    const more = nextId();
    await enqueue(ctx.db.knex, projectId, [event(more)]);
    await worker.drain();
    assert.ok(Date.now() - pausedStart < 500);
    assert.equal(host.healthOf('busy-loops')?.failures, 3);
    assert.equal(tag(await storedTags(ctx.db.knex, more), 'release-stamp'), 'shop@1.2.3');
  });
});

describeEachDatabase('plugin services in the per-plugin container', (ctx) => {
  it('gives a plugin the issues, events, http and router services it asks for; without them it is skipped', async () => {
    const seeded = await bootstrap(ctx.db.knex, {
      organization: 'svc',
      team: 'svc-team',
      project: 'svc-app',
      platform: 'node',
      email: 'svc@example.com',
      publicUrl: 'http://127.0.0.1:8000',
    });
    let got:
      { issues: IssuesService; events: EventsService; http: HttpClient; router: HttpRouter } | undefined;
    const asking = definePlugin({
      id: 'asking',
      version: '1.0.0',
      hostVersion: '*',
      register: (env) =>
        env.registerInit({
          deps: {
            issues: coreServices.issues,
            events: coreServices.events,
            http: coreServices.http,
            router: coreServices.httpRouter,
          },
          init: (deps) => {
            got = deps;
            return { hooks: {} };
          },
        }),
    });
    const silentLog = pino({ level: 'silent' });
    const withServices = await PluginHost.start([asking], {
      knex: ctx.db.knex,
      log: silentLog,
      services: pluginServices({
        knex: ctx.db.knex,
        publicUrl: 'http://faultline.test',
        allowPrivateNetworks: false,
      }),
    });
    assert.deepEqual(withServices.skipped, []);
    const worker = new PipelineWorker(ctx.db.knex, new EventPartitions(ctx.db.knex), silentLog, {
      batchSize: 10,
      concurrency: 1,
    });
    const id = nextId();
    await enqueue(ctx.db.knex, seeded.projectId, [event(id)]);
    await worker.drain();
    const issue = await ctx.db.knex('issues').where('project_id', seeded.projectId).first('id');
    const summary = await got!.issues.get(String(issue.id));
    assert.equal(summary?.title, 'Payment declined');
    assert.match(summary?.permalink ?? '', /^http:\/\/faultline\.test\//);
    assert.equal((await got!.events.get(String(seeded.projectId), id))?.event_id, id);
    await assert.rejects(got!.http.fetch('http://127.0.0.1:9/'), /refused|private|loopback/i);
    got!.router.handle('GET', '/status', () => ({ body: 'ok' }));
    assert.ok(routesOf(withServices, 'asking')?.find('GET', '/status'));

    const without = await PluginHost.start([asking], { knex: ctx.db.knex, log: silentLog });
    assert.match(
      without.skipped[0]?.reason ?? '',
      /deps\.issues asks for service core\.issues, which this host does not provide/,
    );
  });
});

describe('plugin settings', () => {
  it('reads PLUGINS, PLUGIN_EVENT_BUDGET_MS and PLUGIN_CONFIG_<ID> from the environment', () => {
    const config = loadConfig({
      PLUGINS: ' @acme/faultline-tagger, ./plugins/mine ,,',
      PLUGIN_EVENT_BUDGET_MS: '20',
      PLUGIN_CONFIG_TAG_AND_DROP: '{"team":"payments"}',
      PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    assert.deepEqual(config.plugins, {
      specs: ['@acme/faultline-tagger', './plugins/mine'],
      eventBudgetMs: 20,
      rawConfigs: { TAG_AND_DROP: '{"team":"payments"}' },
      hookBudgetMs: 5000,
      allowPrivateNetworks: true,
    });
    assert.equal(loadConfig({}).plugins.allowPrivateNetworks, false);
    assert.throws(
      () => loadConfig({ PLUGINS_ALLOW_PRIVATE_NETWORKS: 'yes' }),
      /Invalid setting PLUGINS_ALLOW_PRIVATE_NETWORKS: must be true or false/,
    );
    assert.deepEqual(loadConfig({}).plugins.specs, []);
    assert.throws(
      () => loadConfig({ PLUGIN_EVENT_BUDGET_MS: '0' }),
      /Invalid setting PLUGIN_EVENT_BUDGET_MS/,
    );
  });
});
