import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Knex } from 'knex';
import { definePlugin, type ChangeActor, type PluginHooks } from '@faultline/plugin-sdk';
import { errorEvent, seedAccount, storeEvents } from '../api/api-test-kit';
import { issueChangeRecords, lockIssueStates } from '../issues';
import { SecretBox } from '../auth';
import { recordIssueChanges } from '../changes';
import { connectDatabase } from '../db';
import { JobQueue } from '../jobs';
import { describeEachDatabase } from '../testing/databases';
import { PluginFailures } from './failures';
import { HookDispatcher, type HookDispatcherOptions } from './hook-dispatcher';
import { PluginHost } from './host';
import { PluginSettingsStore } from './settings';
import { waitFor } from '../testing/wait';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('plugin issue hooks through the job queue', (ctx) => {
  let knex: Knex;
  let projectId: number;
  let userId: number;
  let counter = 0;
  const running: { stop(): Promise<void> }[] = [];

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    projectId = seeded.projectId;
    userId = seeded.userId;
  });

  afterEach(async function () {
    this.timeout(30_000);
    for (const r of running.splice(0).reverse()) await r.stop();
  });

  interface Started {
    host: PluginHost;
    dispatcher: HookDispatcher;
    failures: PluginFailures;
  }

  /** A host with its own job queue (as one process has), dispatching and working hooks. */
  async function dispatch(
    plugins: object[],
    options: Partial<HookDispatcherOptions> = {},
    db: Knex = knex,
    settings?: PluginSettingsStore,
  ): Promise<Started> {
    const failures = new PluginFailures(db, silent);
    const host = await PluginHost.start(plugins, { knex: db, log: silent, failures, settings });
    assert.deepEqual(host.skipped, []);
    const queue = await JobQueue.start(db, silent, { maintenance: false });
    const dispatcher = new HookDispatcher(host, { knex: db, log: silent, pollMs: 20, queue, ...options });
    running.push({ stop: () => queue.stop() }, { stop: () => dispatcher.stop() });
    await dispatcher.start();
    return { host, dispatcher, failures };
  }

  /** Stores an event of a new fingerprint in `project`; returns the new issue's id. */
  async function newIssue(project = projectId): Promise<number> {
    const type = `HookError${++counter}`;
    await storeEvents(knex, project, [errorEvent({ type, value: 'boom' })]);
    const row = await knex('issues')
      .where('project_id', project)
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

  it('calls onIssueCreated, onIssueStateChanged (with who and the surface) and onComment', async function () {
    this.timeout(30_000);
    const seen: string[] = [];
    let stateChange: { from: string; to: string; actor: ChangeActor } | undefined;
    let comment: { commentId: string; text: string; actor: ChangeActor } | undefined;
    await dispatch([
      plugin('recorder', {
        onIssueCreated: ({ issueId }) => void seen.push(`created:${issueId}`),
        onIssueStateChanged: (change) => {
          seen.push(`state:${change.issueId}`);
          stateChange = { from: change.from, to: change.to, actor: change.actor };
        },
        onComment: (change) => {
          seen.push(`comment:${change.issueId}`);
          comment = { commentId: change.commentId, text: change.text, actor: change.actor };
        },
      }),
    ]);
    const issueId = await newIssue();
    await waitFor('onIssueCreated', () => seen.length === 1);
    await resolveThroughApi(issueId);
    await waitFor('onIssueStateChanged', () => seen.length === 2);
    await knex.transaction((trx) =>
      recordIssueChanges(trx, [
        {
          issueId,
          kind: 'commented',
          surface: 'slack',
          actorUserId: userId,
          data: { commentId: 77, text: 'on it' },
        },
      ]),
    );
    await waitFor('onComment', () => seen.length === 3);
    assert.deepEqual(seen, [`created:${issueId}`, `state:${issueId}`, `comment:${issueId}`]);
    assert.deepEqual(stateChange, {
      from: 'unresolved',
      to: 'resolved',
      actor: { userId: String(userId), surface: 'api' },
    });
    assert.deepEqual(comment, {
      commentId: '77',
      text: 'on it',
      actor: { userId: String(userId), surface: 'slack' },
    });
  });

  it('calls onIssueAssigned with whom an issue went from and to, as recorded by an assignment', async function () {
    this.timeout(30_000);
    const assignments: { from: unknown; to: unknown }[] = [];
    await dispatch([
      plugin('assignments', {
        onIssueAssigned: ({ from, to }) => void assignments.push({ from, to }),
      }),
    ]);
    const issueId = await newIssue();
    const team = await knex('teams').first<{ id: number }>('id');
    // Assigned to a user, then to a team, then to nobody, each as an assignment records it.
    for (const assignee of [
      { assigned_user_id: userId, assigned_team_id: null },
      { assigned_user_id: null, assigned_team_id: team.id },
      { assigned_user_id: null, assigned_team_id: null },
    ]) {
      await knex.transaction(async (trx) => {
        const before = await lockIssueStates(trx, [issueId]);
        await trx('issues').where('id', issueId).update(assignee);
        const after = await lockIssueStates(trx, [issueId]);
        await recordIssueChanges(trx, issueChangeRecords(before, after, { userId, surface: 'api' }));
      });
    }
    await waitFor('three onIssueAssigned calls', () => assignments.length === 3);
    // Hook jobs run concurrently, so the calls may come in any order: compared as a set.
    const asSet = (list: unknown[]) => list.map((a) => JSON.stringify(a)).sort();
    assert.deepEqual(
      asSet(assignments),
      asSet([
        { from: null, to: { userId: String(userId) } },
        { from: { userId: String(userId) }, to: { teamId: String(team.id) } },
        { from: { teamId: String(team.id) }, to: null },
      ]),
    );
  });

  it("delivers an issue's changes in the order they were made, also when fanned out together", async function () {
    this.timeout(30_000);
    const texts: string[] = [];
    await dispatch([plugin('ordered', { onComment: ({ text }) => void texts.push(text) })]);
    const issueId = await newIssue();
    const made = Array.from({ length: 12 }, (_, i) => `step ${i + 1}`);
    // One transaction: the fan-out finds them all at once and queues them in one go.
    await knex.transaction((trx) =>
      recordIssueChanges(
        trx,
        made.map((text, i) => ({
          issueId,
          kind: 'commented' as const,
          surface: 'api' as const,
          actorUserId: userId,
          data: { commentId: i + 1, text },
        })),
      ),
    );
    await waitFor('every change', () => texts.length === made.length);
    assert.deepEqual(texts, made);
  });

  it('gives each change a changeId that is the same on every retry and differs between changes', async function () {
    this.timeout(30_000);
    const calls: { issueId: string; changeId: string }[] = [];
    await dispatch(
      [
        plugin('idempotent', {
          onIssueCreated: ({ issueId, changeId }) => {
            calls.push({ issueId, changeId });
            // The first attempt fails, so the change is delivered again.
            if (calls.filter((c) => c.issueId === issueId).length === 1) throw new Error('flaky');
          },
        }),
      ],
      { retryDelaySeconds: 1 },
    );
    const first = String(await newIssue());
    const second = String(await newIssue());
    await waitFor('two attempts per issue', () => calls.length === 4);
    const idsOf = (issueId: string) => calls.filter((c) => c.issueId === issueId).map((c) => c.changeId);
    const [a1, a2] = idsOf(first);
    const [b1, b2] = idsOf(second);
    assert.match(a1, /^\d+-\d+$/);
    assert.equal(a2, a1, 'a retry carries the same changeId');
    assert.equal(b2, b1);
    assert.notEqual(a1, b1, 'two changes have different ids');
  });

  it('a throwing and a hanging plugin do not keep a healthy one from its hooks; failures are counted', async function () {
    this.timeout(40_000);
    const healthy: string[] = [];
    let throwingCalls = 0;
    let hangingCalls = 0;
    const { dispatcher, failures, host } = await dispatch(
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
      { hookBudgetMs: 2000, retryDelaySeconds: 1, attempts: 3, concurrency: 2 },
    );
    const first = await newIssue();
    const second = await newIssue();
    const started = Date.now();
    await waitFor('the healthy plugin', () => healthy.length === 2);
    // Before the hanging plugin's first call has even run out of its budget.
    assert.ok(Date.now() - started < 2000, `healthy plugin took ${Date.now() - started} ms`);
    assert.deepEqual(healthy.sort(), [String(first), String(second)].sort());

    await waitFor(
      'both failing plugins to give up',
      () => dispatcher.statsOf('throws').failed === 6 && dispatcher.statsOf('hangs').failed === 6,
      35_000,
    );
    assert.equal(throwingCalls, 6, 'three calls per change');
    assert.equal(hangingCalls, 6);
    // The shared counts are written by a timer (about a second behind the calls).
    await waitFor(
      'the failure counts to be saved',
      async () => {
        const saved = await failures.counts();
        return saved.get('throws')?.hook === 6 && saved.get('hangs')?.hook === 6;
      },
      10_000,
    );
    const counts = await failures.counts();
    assert.equal(counts.get('throws')?.hook, 6);
    assert.equal(counts.get('hangs')?.hook, 6);
    assert.equal(counts.get('healthy'), undefined);
    const catalogue = await host.catalogue();
    assert.equal(catalogue.find((p) => p.id === 'throws')?.failures.hook, 6);
    assert.equal(catalogue.find((p) => p.id === 'healthy')?.failures.hook, 0);
  });

  it('does not call a plugin for a project it is turned off in', async function () {
    this.timeout(30_000);
    const other = await seedAccount(knex, { organization: 'quiet', project: 'muted', email: 'q@quiet.io' });
    const settings = new PluginSettingsStore(knex, new SecretBox(randomBytes(32)));
    const { organization_id: organizationId } = await knex('projects')
      .where('id', other.projectId)
      .first<{ organization_id: number }>('organization_id');
    await knex.transaction((trx) =>
      settings.write(
        trx,
        { organizationId, projectId: other.projectId, pluginId: 'selective' },
        { enabled: false, config: {}, secrets: {} },
      ),
    );
    const calls: string[] = [];
    await dispatch(
      [plugin('selective', { onIssueCreated: ({ projectId: p }) => void calls.push(p) })],
      {},
      knex,
      settings,
    );
    await newIssue(other.projectId);
    await newIssue(projectId);
    await waitFor('the hook for the enabled project', () => calls.length >= 1);
    await sleep(1500); // time for a call for the muted project to show up
    assert.deepEqual(calls, [String(projectId)]);
  });

  it('two processes on one database call each hook once', async function () {
    if (ctx.db.kind !== 'postgres') this.skip(); // PGlite is one process's only connection
    this.timeout(40_000);
    const other = connectDatabase({ kind: 'postgres', url: ctx.db.url!, poolMax: 4 });
    running.push({ stop: () => other.close() });
    const calls: string[] = [];
    const counting = () =>
      plugin('counting', {
        onIssueCreated: async ({ issueId }) => {
          calls.push(issueId);
          await sleep(5);
        },
      });
    const a = await dispatch([counting()], { pollMs: 5, concurrency: 2 });
    await dispatch([counting()], { pollMs: 5, concurrency: 2 }, other.knex);
    const issues: number[] = [];
    for (let i = 0; i < 6; i++) issues.push(await newIssue());
    await waitFor('every change', () => calls.length >= issues.length);
    await sleep(1000); // time for a duplicate to show up
    assert.deepEqual([...calls].sort(), issues.map(String).sort());
    // One stops its fan-out (releasing its lease if it held it): the other goes on from the shared cursor.
    await a.dispatcher.stop();
    for (let i = 0; i < 3; i++) issues.push(await newIssue());
    await waitFor('the changes after the handover', () => calls.length >= issues.length);
    await sleep(1000);
    assert.deepEqual([...calls].sort(), issues.map(String).sort());
  });

  it('fans out nothing for a built-in no one turned on, and only later changes once someone does', async function () {
    this.timeout(30_000);
    const seen: string[] = [];
    const id = 'builtin-hooks';
    const failures = new PluginFailures(knex, silent);
    const host = await PluginHost.start([], {
      knex,
      log: silent,
      failures,
      settings: new PluginSettingsStore(knex, new SecretBox(randomBytes(32)), { cacheMs: 0 }),
      builtins: [plugin(id, { onIssueCreated: async (c) => void seen.push(c.issueId) })],
    });
    const queue = await JobQueue.start(knex, silent, { maintenance: false });
    const dispatcher = new HookDispatcher(host, { knex, log: silent, pollMs: 20, queue });
    running.push(
      { stop: () => queue.stop() },
      { stop: () => dispatcher.stop() },
      { stop: () => host.stop() },
    );
    await dispatcher.start();
    const passedBy = async (issueId: number): Promise<boolean> => {
      const { rows } = await knex.raw<{ rows: { passed: boolean }[] }>(
        `SELECT EXISTS (SELECT 1 FROM plugin_hook_cursors k, issue_changes c
                         WHERE k.plugin_id = ? AND c.issue_id = ? AND c.kind = 'created'
                           AND (k.txid, k.change_id) >= (c.txid, c.id)) AS passed`,
        [id, issueId],
      );
      return rows[0].passed;
    };
    const skipped = await newIssue();
    await waitFor('the cursor to move past the change unread', () => passedBy(skipped));
    const cursor = await knex('plugin_hook_cursors').where('plugin_id', id).first('delivered');
    assert.equal(Number(cursor.delivered), 0, 'no job was queued for it');

    const { organization_id } = await knex('projects').where('id', projectId).first('organization_id');
    await knex('plugin_settings').insert({ organization_id, project_id: null, plugin_id: id, enabled: true });
    const later = await newIssue();
    await waitFor('the hook of the change made once it was on', () => seen.includes(String(later)));
    await sleep(300);
    assert.deepEqual(seen, [String(later)]);
  });
});
