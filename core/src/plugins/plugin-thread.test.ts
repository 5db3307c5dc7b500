import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import type { Logger as PluginLogger, PluginError, PluginRequest } from '@faultline/plugin-sdk';
import { describeEachDatabase } from '../testing/databases';
import { PluginThread, type PluginThreadOptions } from './plugin-thread';
import { PluginScheduler } from './scheduler';
import { PluginRoutes } from './services';
import { hookTransaction, PostgresKeyValueStorage } from './storage';

const BUSY = require.resolve(path.join(__dirname, 'test-fixtures', 'busy-after-await'));
const ISSUE = { issueId: '41', projectId: '1' };

/** The SDK logger a host gives a plugin, keeping what the plugin logged. */
function recordingLogger(
  lines: { level: string; message: string; fields?: object }[],
  bound = {},
): PluginLogger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, fields: { ...bound, ...fields } });
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => recordingLogger(lines, { ...bound, ...fields }),
  };
}

function request(body: string): PluginRequest {
  return {
    method: 'POST',
    path: '/shout',
    query: {},
    headers: {},
    rawBody: Buffer.from(body),
    publicUrl: 'http://faultline.test',
  };
}

async function rejection(promise: Promise<unknown>): Promise<PluginError> {
  try {
    await promise;
  } catch (error) {
    return error as PluginError;
  }
  assert.fail('expected the call to fail');
}

describeEachDatabase('plugin thread', (ctx) => {
  const threads: PluginThread[] = [];
  let lines: { level: string; message: string; fields?: object }[];
  let storage: PostgresKeyValueStorage;

  beforeEach(() => {
    lines = [];
    storage = new PostgresKeyValueStorage(ctx.db.knex, 'busy-after-await');
  });

  afterEach(async () => {
    await Promise.all(threads.splice(0).map((t) => t.stop()));
    await ctx.db.knex('plugin_storage').delete();
  });

  async function start(extra: Partial<PluginThreadOptions> = {}): Promise<PluginThread> {
    const thread = await PluginThread.start({
      pluginId: 'busy-after-await',
      module: BUSY,
      config: { greeting: 'hello' },
      log: pino({ level: 'silent' }),
      ...extra,
      services: { 'core.storage': storage, 'core.logger': recordingLogger(lines), ...extra.services },
    });
    threads.push(thread);
    return thread;
  }

  it('reports the hooks the plugin contributed', async () => {
    const thread = await start();
    assert.deepEqual([...thread.hookNames].sort(), [
      'onAlert',
      'onComment',
      'onIssueCreated',
      'onIssueRegressed',
      'onIssueStateChanged',
      'processEvent',
    ]);
  });

  it('interrupts a busy loop that starts after an await, and the next call runs on a fresh thread', async () => {
    const thread = await start();
    const started = performance.now();
    const error = await rejection(thread.call('onIssueCreated', ISSUE, 300));
    const took = performance.now() - started;
    assert.equal(error.code, 'plugin_timeout');
    assert.match(error.message, /onIssueCreated ran longer than 300 ms/);
    assert.ok(took >= 290 && took < 1500, `gave up after ${Math.round(took)} ms`);

    const answer = await thread.call('onIssueRegressed', ISSUE, 5000);
    assert.deepEqual(answer, { issueId: '41', greeting: 'hello' });
    assert.equal(thread.restarts, 1);
  });

  it('interrupts a synchronous busy loop too', async () => {
    const thread = await start();
    const error = await rejection(thread.call('processEvent', { event_id: 'e1' }, 200));
    assert.equal(error.name, 'PluginTimeoutError');
    assert.deepEqual(await thread.call('onIssueRegressed', ISSUE, 5000), {
      issueId: '41',
      greeting: 'hello',
    });
  });

  it("keeps this thread's event loop running while the plugin busy-loops", async () => {
    const thread = await start();
    let ticks = 0;
    const interval = setInterval(() => (ticks += 1), 10);
    try {
      await rejection(thread.call('onIssueCreated', ISSUE, 500));
    } finally {
      clearInterval(interval);
    }
    assert.ok(ticks >= 20, `only ${ticks} ticks of a 10 ms interval in 500 ms`);
  });

  it('times out a hook that never settles', async () => {
    const thread = await start();
    const error = await rejection(thread.call('onAlert', { id: 'a1' }, 200));
    assert.equal(error.code, 'plugin_timeout');
    assert.equal((error as PluginError & { budgetMs: number }).budgetMs, 200);
  });

  it("passes a throwing hook's error back with its name, code and message, and keeps the thread", async () => {
    const thread = await start();
    const error = await rejection(thread.call('onComment', { ...ISSUE, text: 'hi' }, 5000));
    assert.equal(error.name, 'PluginError');
    assert.equal(error.code, 'tracker_down');
    assert.equal(error.message, 'the tracker is down; try again later');
    assert.equal(thread.restarts, 0);
  });

  it('refuses a hook the plugin does not have', async () => {
    const thread = await start();
    const error = await rejection(thread.call('onSomethingElse', {}, 5000));
    assert.equal(error.code, 'no_such_hook');
  });

  it('gives the plugin its storage, served by this thread', async () => {
    const thread = await start();
    await thread.call('onIssueStateChanged', { ...ISSUE, from: 'unresolved', to: 'resolved' }, 5000);
    const answer = await thread.call(
      'onIssueStateChanged',
      { ...ISSUE, from: 'resolved', to: 'ignored' },
      5000,
    );
    assert.deepEqual(answer, { changes: 2, keys: ['last:41'] });
    assert.equal(await storage.get('changes'), 2);
    assert.deepEqual(await storage.get('last:41'), { from: 'resolved', to: 'ignored' });
  });

  it("runs the plugin's service calls inside the caller's transaction", async () => {
    const thread = await start();
    await ctx.db.knex
      .transaction(async (trx) => {
        const answer = await hookTransaction.run(trx, () =>
          thread.call('onIssueStateChanged', { ...ISSUE, from: 'unresolved', to: 'resolved' }, 5000),
        );
        assert.deepEqual(answer, { changes: 1, keys: ['last:41'] });
        throw new Error('roll back');
      })
      .catch((error: Error) => assert.equal(error.message, 'roll back'));
    assert.equal(await storage.get('changes'), undefined);
  });

  it('sends what the plugin logs, with its child fields, to the logger it was given', async () => {
    const thread = await start();
    await thread.call('onIssueRegressed', ISSUE, 5000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(lines, [
      { level: 'info', message: 'issue regressed', fields: { issueId: '41', greeting: 'hello' } },
    ]);
  });

  it('runs the tasks and routes the plugin registered in init', async () => {
    const thread = await start();
    assert.deepEqual(thread.schedules, [
      { name: 'remember', cron: '*/5 * * * *' },
      { name: 'exit', cron: '0 * * * *' },
    ]);
    assert.deepEqual(thread.routes, [{ method: 'POST', path: '/shout' }]);

    await thread.runTask('remember', 5000);
    assert.equal(await storage.get('remembered'), true);

    const response = await thread.handleRoute('POST', '/shout', request('quiet please'), 5000);
    assert.equal(response.status, 201);
    assert.deepEqual(response.headers, { 'x-plugin': 'busy-after-await' });
    assert.ok(Buffer.isBuffer(response.body));
    assert.equal(String(response.body), 'QUIET PLEASE');
  });

  it('starts the thread again after plugin code ended it', async () => {
    const thread = await start();
    const error = await rejection(thread.runTask('exit', 5000));
    assert.equal(error.code, 'plugin_crashed');
    assert.match(error.message, /code 7/);
    assert.deepEqual(await thread.call('onIssueRegressed', ISSUE, 5000), {
      issueId: '41',
      greeting: 'hello',
    });
    assert.equal(thread.restarts, 1);
  });

  it('rejects the other calls in flight when an overrun stops the thread', async () => {
    const thread = await start();
    const hanging = rejection(thread.call('onAlert', { id: 'a1' }, 10_000));
    const busy = await rejection(thread.call('onIssueCreated', ISSUE, 200));
    assert.equal(busy.code, 'plugin_timeout');
    assert.equal((await hanging).code, 'plugin_restarted');
  });

  it('hands tasks and routes to the real scheduler and router once, across restarts', async () => {
    const scheduler = new PluginScheduler('busy-after-await');
    const router = new PluginRoutes();
    const thread = await start({ services: { 'core.scheduler': scheduler, 'core.httpRouter': router } });
    scheduler.close();
    await rejection(thread.call('onIssueCreated', ISSUE, 200));
    assert.equal(thread.restarts, 0, 'restarted lazily, on the next call');

    const remember = scheduler.tasks.find((t) => t.name === 'remember')!;
    await remember.task();
    assert.equal(thread.restarts, 1);
    assert.deepEqual(
      scheduler.tasks.map((t) => `${t.name} ${t.cron}`),
      ['remember */5 * * * *', 'exit 0 * * * *'],
    );
    assert.equal(await storage.get('remembered'), true);
    const response = await router.find('POST', '/shout')!(request('hey'));
    assert.equal(String(response.body), 'HEY');
  });

  it('does not start when the real scheduler refuses a task scheduled in init', async () => {
    const scheduler = new PluginScheduler('busy-after-await');
    scheduler.close();
    const error = await rejection(start({ services: { 'core.scheduler': scheduler } }));
    assert.equal(error.code, 'too_late');
    assert.match(error.message, /did not start: .*remember/);
  });
});

describe('plugin thread start', () => {
  const log = pino({ level: 'silent' });

  it('fails when the module is not a plugin', async () => {
    const error = await rejection(
      PluginThread.start({
        pluginId: 'nothing',
        module: require.resolve('semver'),
        config: {},
        services: {},
        log,
      }),
    );
    assert.equal(error.code, 'invalid_plugin');
    assert.match(error.message, /does not export a plugin made with definePlugin/);
  });

  it('fails when loading and init overrun their budget', async () => {
    const error = await rejection(
      PluginThread.start({
        pluginId: 'busy-after-await',
        module: BUSY,
        config: {},
        services: {},
        initBudgetMs: 1,
        log,
      }),
    );
    assert.equal(error.code, 'plugin_timeout');
    assert.match(error.message, /loading and init took longer than 1 ms/);
  });

  it('fails when the plugin asks for a service the host does not give it', async () => {
    const error = await rejection(
      PluginThread.start({ pluginId: 'busy-after-await', module: BUSY, config: {}, services: {}, log }),
    );
    assert.equal(error.code, 'service_unavailable');
    assert.match(error.message, /core\.storage/);
  });
});
