import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import type { PluginError } from '@faultline/plugin-sdk';
import { bootstrap } from '../accounts';
import { EventPartitions } from '../db';
import { PipelineWorker } from '../pipeline';
import { describeEachDatabase } from '../testing/databases';
import { PluginHost } from './host';
import { pluginServices, routesOf } from './plugin-services';

const FIXTURES = path.join(__dirname, 'test-fixtures');

async function rejection(promise: Promise<unknown>): Promise<PluginError> {
  try {
    await promise;
  } catch (error) {
    return error as PluginError;
  }
  assert.fail('expected the call to fail');
}

/** The longest gap between ticks of a 10 ms interval while `work` runs: how blocked this thread was. */
async function longestStall(work: Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const interval = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  try {
    await work;
  } finally {
    clearInterval(interval);
  }
  return longest;
}

describeEachDatabase('hooks of plugins loaded by path run on their own threads', (ctx) => {
  let projectId: number;
  let host: PluginHost;

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

  beforeEach(async () => {
    host = await PluginHost.start(['./busy-after-await', './notifier', './third-party'], {
      knex: ctx.db.knex,
      log: pino({ level: 'silent' }),
      baseDir: FIXTURES,
      rawConfigs: { BUSY_AFTER_AWAIT: JSON.stringify({ greeting: 'hello' }) },
      eventBudgetMs: 50,
      services: pluginServices({
        knex: ctx.db.knex,
        publicUrl: 'http://127.0.0.1:8000',
        allowPrivateNetworks: false,
      }),
    });
  });

  afterEach(async () => {
    await host.stop();
    await ctx.db.knex('plugin_storage').delete();
  });

  it('keeps only processEvent plugins (and their threads) in a processEvent-only host', async () => {
    const pipelineHost = await PluginHost.start(['./busy-after-await', './notifier', './third-party'], {
      knex: ctx.db.knex,
      log: pino({ level: 'silent' }),
      baseDir: FIXTURES,
      rawConfigs: { BUSY_AFTER_AWAIT: JSON.stringify({ greeting: 'hello' }) },
      processEventOnly: true,
      services: pluginServices({
        knex: ctx.db.knex,
        publicUrl: 'http://127.0.0.1:8000',
        allowPrivateNetworks: false,
      }),
    });
    try {
      assert.deepEqual(pipelineHost.loaded.map((p) => p.id).sort(), ['busy-after-await', 'release-stamp']);
      assert.equal(pipelineHost.plugin('notifier'), undefined, 'notifier has no processEvent');
    } finally {
      await pipelineHost.stop();
    }
  });

  it('loads them on threads, with the hooks, tasks and routes their init registered', () => {
    assert.deepEqual(host.skipped, []);
    const busy = host.plugin('busy-after-await')!;
    assert.ok(busy.thread, 'busy-after-await runs on a thread');
    assert.ok(host.plugin('notifier')!.thread, 'notifier runs on a thread');
    assert.deepEqual(Object.keys(busy.hooks).sort(), [
      'onAlert',
      'onComment',
      'onIssueCreated',
      'onIssueRegressed',
      'onIssueStateChanged',
      'processEvent',
    ]);
    assert.deepEqual(
      busy.scheduler.tasks.map((t) => `${t.name} ${t.cron}`),
      ['remember */5 * * * *', 'exit 0 * * * *'],
    );
    assert.deepEqual(routesOf(host, 'busy-after-await')?.list(), [{ method: 'POST', path: '/shout' }]);
  });

  it('stops a hook that busy-loops after an await at its budget, runs other plugins meanwhile, and restarts it', async () => {
    const change = { issueId: '41', projectId: String(projectId), changeId: '1-1' };
    const started = performance.now();
    const bad = rejection(host.invoke('busy-after-await', 'onIssueCreated', change, 300));
    // While the bad plugin spins, another plugin's hook runs, and this thread's event loop keeps going.
    const good = host.invoke('notifier', 'onIssueCreated', change, 5000);
    const stall = await longestStall(Promise.all([bad, good]));
    const error = await bad;
    const took = performance.now() - started;

    assert.equal(error.code, 'plugin_timeout');
    assert.match(error.message, /busy-after-await: onIssueCreated ran longer than 300 ms/);
    assert.ok(took >= 290 && took < 1500, `gave up after ${Math.round(took)} ms`);
    assert.ok(stall < 200, `this thread was blocked for ${Math.round(stall)} ms`);
    const stored = await ctx.db.knex('plugin_storage').where({ plugin_id: 'notifier' }).select('key');
    assert.deepEqual(
      stored.map((r) => r.key),
      ['created:41'],
    );

    // The next call runs on a fresh thread, started with the plugin's init and config.
    assert.deepEqual(await host.invoke('busy-after-await', 'onIssueRegressed', change, 5000), {
      issueId: '41',
      greeting: 'hello',
    });
    assert.equal(host.plugin('busy-after-await')!.thread!.restarts, 1);
  });

  it('gives a hook that throws a failure with the plugin’s own code, and keeps its thread', async () => {
    const error = await rejection(
      host.invoke(
        'busy-after-await',
        'onComment',
        {
          issueId: '41',
          changeId: '1-2',
          projectId: String(projectId),
          commentId: '1',
          text: 'hi',
          actor: { userId: null, surface: 'api' },
        },
        5000,
      ),
    );
    assert.equal(error.code, 'tracker_down');
    assert.equal(host.plugin('busy-after-await')!.thread!.restarts, 0);
  });

  it('serves a route and runs a scheduled task of a plugin on its thread', async () => {
    const handler = routesOf(host, 'busy-after-await')!.find('POST', '/shout')!;
    const response = await host.runIsolated(
      'busy-after-await',
      () =>
        handler({
          method: 'POST',
          path: '/shout',
          query: {},
          headers: {},
          rawBody: Buffer.from('hi there'),
          publicUrl: 'http://faultline.test',
        }),
      5000,
      'route',
    );
    assert.equal(response.status, 201);
    assert.ok(Buffer.isBuffer(response.body));
    assert.equal(String(response.body), 'HI THERE');

    const remember = host.plugin('busy-after-await')!.scheduler.tasks.find((t) => t.name === 'remember')!;
    await remember.task();
    const row = await ctx.db
      .knex('plugin_storage')
      .where({ plugin_id: 'busy-after-await', key: 'remembered' })
      .first();
    assert.ok(row, 'the task stored its key');
  });

  it('leaves a busy-looping processEvent out of the pipeline; events are stored and other plugins run', async () => {
    const worker = new PipelineWorker(
      ctx.db.knex,
      new EventPartitions(ctx.db.knex),
      pino({ level: 'silent' }),
      {
        batchSize: 50,
        concurrency: 1,
        processEvent: (e, trx, projectId) => host.processEvent(e, trx, projectId),
      },
    );
    const id = 'feed'.padStart(32, '0');
    await ctx.db.knex('raw_events').insert({
      project_id: projectId,
      received_at: new Date(),
      payload: JSON.stringify({
        event_id: id,
        timestamp: Date.now() / 1000,
        platform: 'node',
        release: 'shop@4.5.6',
        message: 'Payment declined',
      }),
    });
    const started = performance.now();
    assert.equal(await worker.drain(), 1);
    assert.ok(performance.now() - started < 2000, `took ${Math.round(performance.now() - started)} ms`);
    const row = await ctx.db.knex('events').where({ event_id: id }).first();
    const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as {
      tags?: [string, string][];
    };
    // The folder plugin after the bad one still tagged it.
    assert.deepEqual(
      data.tags?.find(([k]) => k === 'release-stamp'),
      ['release-stamp', 'shop@4.5.6'],
    );
    assert.equal(host.healthOf('busy-after-await')?.failures, 1);
    assert.equal(host.healthOf('release-stamp')?.failures, 0);
  });
});
