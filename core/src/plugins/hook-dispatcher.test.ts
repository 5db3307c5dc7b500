import assert from 'node:assert/strict';
import pino from 'pino';
import type { Knex } from 'knex';
import { definePlugin, type ChangeActor, type PluginHooks } from '@faultline/plugin-sdk';
import { errorEvent, seedAccount, storeEvents } from '../api/api-test-kit';
import { issueChangeRecords, lockIssueStates } from '../api/issue-change-records';
import { recordIssueChanges } from '../changes';
import { connectDatabase } from '../db';
import { describeEachDatabase } from '../testing/databases';
import { HookDispatcher, type HookDispatcherOptions } from './hook-dispatcher';
import { PluginHost } from './host';

const silent = pino({ level: 'silent' });

function plugin(id: string, hooks: PluginHooks) {
  return definePlugin({
    id,
    version: '1.0.0',
    hostVersion: '*',
    register(env) {
      env.registerInit({ deps: {}, init: () => ({ hooks }) });
    },
  });
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('plugin issue hooks from the change outbox', (ctx) => {
  let knex: Knex;
  let projectId: number;
  let userId: number;
  let counter = 0;
  const dispatchers: HookDispatcher[] = [];

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    projectId = seeded.projectId;
    userId = seeded.userId;
  });

  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
  });

  async function dispatch(
    plugins: object[],
    options: Partial<HookDispatcherOptions> = {},
    db: Knex = knex,
  ): Promise<HookDispatcher> {
    const host = await PluginHost.start(plugins, { knex: db, log: silent });
    assert.deepEqual(host.skipped, []);
    const dispatcher = new HookDispatcher(host, { knex: db, log: silent, pollMs: 20, ...options });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    return dispatcher;
  }

  /** Stores an event of a new fingerprint; returns the new issue's id. */
  async function newIssue(): Promise<number> {
    const type = `HookError${++counter}`;
    await storeEvents(knex, projectId, [errorEvent({ type, value: 'boom' })]);
    const row = await knex('issues')
      .where('project_id', projectId)
      .orderBy('id', 'desc')
      .first<{ id: number }>('id');
    return row.id;
  }

  /** Changes the status as `PUT` on issues does: in one transaction with its outbox row. */
  async function resolveThroughApi(issueId: number): Promise<void> {
    await knex.transaction(async (trx) => {
      const before = await lockIssueStates(trx, [issueId]);
      await trx('issues').where('id', issueId).update({ status: 'resolved', substatus: null });
      const after = await lockIssueStates(trx, [issueId]);
      await recordIssueChanges(trx, issueChangeRecords(before, after, { userId, surface: 'api' }));
    });
  }

  it('calls onIssueCreated for a new issue and onIssueStateChanged with who and the surface', async () => {
    const seen: string[] = [];
    let stateChange: { from: string; to: string; actor: ChangeActor } | undefined;
    const dispatcher = await dispatch([
      plugin('recorder', {
        onIssueCreated: ({ issueId }) => void seen.push(`created:${issueId}`),
        onIssueStateChanged: (change) => {
          seen.push(`state:${change.issueId}`);
          stateChange = { from: change.from, to: change.to, actor: change.actor };
        },
      }),
    ]);
    const issueId = await newIssue();
    await waitFor('onIssueCreated', () => seen.length === 1);
    await resolveThroughApi(issueId);
    await waitFor('onIssueStateChanged', () => seen.length === 2);
    assert.deepEqual(seen, [`created:${issueId}`, `state:${issueId}`]);
    assert.deepEqual(stateChange, {
      from: 'unresolved',
      to: 'resolved',
      actor: { userId: String(userId), surface: 'api' },
    });
    await dispatcher.stop(); // lets the last cursor update (after the hook returned) commit
    const cursor = await knex('plugin_hook_cursors').where('plugin_id', 'recorder').first();
    assert.equal(Number(cursor.delivered), 2);
    assert.equal(Number(cursor.failed), 0);
  });

  it('a throwing and a hanging plugin do not keep a healthy one from its hooks', async () => {
    const healthy: string[] = [];
    let throwingCalls = 0;
    let hangingCalls = 0;
    const dispatcher = await dispatch(
      [
        plugin('throws', {
          onIssueCreated: () => {
            throwingCalls += 1;
            throw new Error('plugin bug');
          },
        }),
        plugin('hangs', {
          onIssueCreated: () => {
            hangingCalls += 1;
            return new Promise<void>(() => undefined);
          },
        }),
        plugin('healthy', { onIssueCreated: ({ issueId }) => void healthy.push(issueId) }),
      ],
      { hookBudgetMs: 300, retryBackoffMs: 20, attempts: 3 },
    );
    const first = await newIssue();
    const second = await newIssue();
    const started = Date.now();
    await waitFor('the healthy plugin', () => healthy.length === 2);
    // Well before the hanging plugin has used up even one budget of the first change.
    assert.ok(Date.now() - started < 1000, `healthy plugin took ${Date.now() - started} ms`);
    assert.deepEqual(healthy, [String(first), String(second)]);

    await waitFor('both failing plugins to give up', () => {
      const failed = (id: string) => dispatcher.statsOf(id).failed;
      return failed('throws') === 2 && failed('hangs') === 2;
    });
    assert.equal(throwingCalls, 6, 'three attempts per change');
    assert.equal(hangingCalls, 6);
    await dispatcher.stop();
    const rows: { plugin_id: string; delivered: string; failed: string }[] = await knex('plugin_hook_cursors')
      .whereIn('plugin_id', ['throws', 'hangs', 'healthy'])
      .orderBy('plugin_id')
      .select('plugin_id', 'delivered', 'failed');
    assert.deepEqual(
      rows.map((r) => [r.plugin_id, Number(r.delivered), Number(r.failed)]),
      [
        ['hangs', 0, 2],
        ['healthy', 2, 0],
        ['throws', 0, 2],
      ],
    );
  });

  it('two dispatchers on one database deliver each change once', async function () {
    if (ctx.db.kind !== 'postgres') this.skip(); // PGlite is one process's only connection
    const other = connectDatabase({ kind: 'postgres', url: ctx.db.url!, poolMax: 3 });
    try {
      const calls: string[] = [];
      const counting = () =>
        plugin('counting', {
          onIssueCreated: async ({ issueId }) => {
            calls.push(issueId);
            await sleep(5);
          },
        });
      await dispatch([counting()], { pollMs: 5 });
      await dispatch([counting()], { pollMs: 5 }, other.knex);
      const issues: number[] = [];
      for (let i = 0; i < 6; i++) issues.push(await newIssue());
      await waitFor('every change', () => calls.length >= issues.length);
      await sleep(300); // time for a duplicate to show up
      assert.deepEqual([...calls].sort(), issues.map(String).sort());
      // One stops (releasing its lease if it held it): the other goes on from the shared cursor.
      await dispatchers.shift()!.stop();
      for (let i = 0; i < 3; i++) issues.push(await newIssue());
      await waitFor('the changes after the handover', () => calls.length >= issues.length);
      await sleep(300);
      assert.deepEqual([...calls].sort(), issues.map(String).sort());
    } finally {
      await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
      await other.close();
    }
  });
});
