import assert from 'node:assert/strict';
import pino from 'pino';
import type { Knex } from 'knex';
import { errorEvent, seedAccount, storeEvents } from '../api/api-test-kit';
import { connectDatabase } from '../db';
import { JobQueue } from '../jobs';
import { describeEachDatabase } from '../testing/databases';
import { RecordingActions } from './alert-test-kit';
import { waitFor } from '../testing/wait';
import { ALERT_QUEUES } from './fires';
import { evaluateFrequencyRules } from './frequency';
import { startAlertWorkers, type AlertWorkers } from './workers';

const silent = pino({ level: 'silent' });

describeEachDatabase('frequency alert rules', (ctx) => {
  let knex: Knex;
  let queue: JobQueue;
  let counter = 0;

  before(async function () {
    this.timeout(30_000);
    knex = ctx.db.knex;
    queue = await JobQueue.start(knex, silent, { maintenance: false });
    await queue.define(ALERT_QUEUES.action);
    await queue.define(ALERT_QUEUES.digest);
  });
  after(async () => queue?.stop());

  async function project(): Promise<number> {
    const n = ++counter;
    const seeded = await seedAccount(knex, {
      organization: `org${n}`,
      project: `app${n}`,
      email: `o${n}@x.io`,
    });
    return seeded.projectId;
  }

  async function rule(projectId: number, fields: Record<string, unknown>): Promise<number> {
    const [row] = await knex('alert_rules')
      .insert({
        project_id: projectId,
        name: 'busy',
        filters: '[]',
        actions: JSON.stringify([{ plugin: 'webhooks', config: {} }]),
        ...fields,
      })
      .returning('id');
    return row.id as number;
  }

  const firesOf = async (ruleId: number) =>
    knex('alert_fires')
      .where('rule_id', ruleId)
      .orderBy('id')
      .select('issue_id', 'trigger', 'reason', 'change_id');
  const actionJobsOf = async (ruleId: number): Promise<number> => {
    const { rows } = await knex.raw<{ rows: { n: string }[] }>(
      `SELECT count(*) AS n FROM pgboss.job j JOIN alert_fires f ON f.id = (j.data->>'fireId')::bigint
        WHERE j.name = ? AND f.rule_id = ?`,
      [ALERT_QUEUES.action, ruleId],
    );
    return Number(rows[0].n);
  };
  const users = (n: number, type = 'TypeError') =>
    Array.from({ length: n }, (_, i) => errorEvent({ type, value: 'x', user: { id: `u${i % 3}` } }));

  const countersOf = async (projectId: number) => {
    const { rows } = await knex.raw<{ rows: { events: number | null; users: number }[] }>(
      `SELECT (SELECT sum(events)::int FROM issue_minute_counts WHERE project_id = ?) AS events,
              (SELECT count(DISTINCT user_hash)::int FROM issue_minute_users WHERE project_id = ?) AS users`,
      [projectId, projectId],
    );
    return rows[0];
  };

  it('counts events and distinct users per issue and minute with each stored batch', async () => {
    const projectId = await project();
    await rule(projectId, { triggers: JSON.stringify([{ id: 'event_frequency', value: 100, interval: 5 }]) });
    await storeEvents(knex, projectId, users(7));
    await storeEvents(knex, projectId, users(2));
    assert.deepEqual(await countersOf(projectId), { events: 9, users: 3 });
  });

  it('keeps no counters for a project until an enabled rule of it has a frequency trigger', async () => {
    const projectId = await project();
    await rule(projectId, { triggers: JSON.stringify([{ id: 'issue.created' }]) });
    const disabled = await rule(projectId, {
      enabled: false,
      triggers: JSON.stringify([{ id: 'event_unique_user_frequency', value: 1, interval: 5 }]),
    });
    await storeEvents(knex, projectId, users(4));
    assert.deepEqual(await countersOf(projectId), { events: null, users: 0 });
    // Enabled: the window counts from then on (the 4 events before are not counted).
    await knex('alert_rules').where('id', disabled).update({ enabled: true });
    await storeEvents(knex, projectId, users(2));
    assert.deepEqual(await countersOf(projectId), { events: 2, users: 2 });
  });

  it('fires an event frequency rule once per action interval, with the count in the reason', async () => {
    const projectId = await project();
    const ruleId = await rule(projectId, {
      triggers: JSON.stringify([{ id: 'event_frequency', value: 4, interval: 5 }]),
      frequency_minutes: 30,
    });
    await storeEvents(knex, projectId, users(4, 'RangeError'));
    await evaluateFrequencyRules(knex, queue, new Date());
    assert.equal((await firesOf(ruleId)).length, 0, 'four events are not more than four');
    await storeEvents(knex, projectId, users(1, 'RangeError'));
    const round = await evaluateFrequencyRules(knex, queue, new Date());
    assert.equal(round.fires, 1);
    await evaluateFrequencyRules(knex, queue, new Date(Date.now() + 60_000));
    const fires = await firesOf(ruleId);
    assert.deepEqual(
      fires.map((f) => [f.trigger, f.reason, f.change_id]),
      [['event_frequency', 'Seen 5 times in 5 minutes', null]],
    );
    assert.equal(await actionJobsOf(ruleId), 1);
  });

  it('fires a unique-user rule on distinct users, not events', async () => {
    const projectId = await project();
    const ruleId = await rule(projectId, {
      triggers: JSON.stringify([{ id: 'event_unique_user_frequency', value: 2, interval: 60 }]),
    });
    const other = await rule(projectId, {
      triggers: JSON.stringify([{ id: 'event_unique_user_frequency', value: 3, interval: 60 }]),
    });
    await storeEvents(knex, projectId, users(12, 'EvalError'));
    await evaluateFrequencyRules(knex, queue, new Date());
    assert.deepEqual(
      (await firesOf(ruleId)).map((f) => f.reason),
      ['3 users affected in 1 hour'],
    );
    assert.equal((await firesOf(other)).length, 0);
  });

  it('applies filters to the issue and its latest event', async () => {
    const projectId = await project();
    const staging = await rule(projectId, {
      triggers: JSON.stringify([{ id: 'event_frequency', value: 1, interval: 1 }]),
      filters: JSON.stringify([{ id: 'environment', value: 'staging' }]),
    });
    const production = await rule(projectId, {
      triggers: JSON.stringify([{ id: 'event_frequency', value: 1, interval: 1 }]),
      filters: JSON.stringify([{ id: 'environment', value: 'production' }]),
    });
    await storeEvents(knex, projectId, users(3, 'URIError'));
    await evaluateFrequencyRules(knex, queue, new Date());
    assert.equal((await firesOf(staging)).length, 0);
    assert.equal((await firesOf(production)).length, 1);
  });

  it('prunes counters no window reaches', async () => {
    const projectId = await project();
    const issueId = 999_999;
    const old = new Date(Date.now() - 2 * 86_400_000);
    await knex('issue_minute_counts').insert({
      project_id: projectId,
      minute: old,
      issue_id: issueId,
      events: 3,
    });
    await knex('issue_minute_users').insert({
      project_id: projectId,
      minute: old,
      issue_id: issueId,
      user_hash: 1,
    });
    const round = await evaluateFrequencyRules(knex, queue, new Date());
    assert.ok(round.pruned >= 2);
    assert.equal((await knex('issue_minute_counts').where('issue_id', issueId)).length, 0);
    assert.equal((await knex('issue_minute_users').where('issue_id', issueId)).length, 0);
  });

  it('fires once when two workers with their own queues evaluate at the same time', async function () {
    if (ctx.db.kind !== 'postgres') this.skip(); // PGlite is one connection in one process
    this.timeout(60_000);
    const other = connectDatabase({ kind: 'postgres', url: ctx.db.url!, poolMax: 5 });
    const otherQueue = await JobQueue.start(other.knex, silent, { maintenance: false });
    try {
      const projectId = await project();
      // An action interval of 0: only the evaluated minute keeps a second worker from firing again.
      // (5-minute windows, so an evaluation a minute later still counts the same events.)
      const everyMinute = await rule(projectId, {
        triggers: JSON.stringify([{ id: 'event_frequency', value: 2, interval: 5 }]),
        frequency_minutes: 0,
      });
      const hourly = await rule(projectId, {
        triggers: JSON.stringify([{ id: 'event_frequency', value: 2, interval: 5 }]),
        frequency_minutes: 60,
      });
      // Five issues, three events each.
      for (let i = 0; i < 5; i++)
        await storeEvents(
          knex,
          projectId,
          Array.from({ length: 3 }, () => errorEvent({ type: `E${i}`, value: 'x', functionName: `f${i}` })),
        );
      const now = new Date();
      for (let round = 0; round < 3; round++)
        await Promise.all([
          evaluateFrequencyRules(knex, queue, now),
          evaluateFrequencyRules(other.knex, otherQueue, now),
          evaluateFrequencyRules(other.knex, otherQueue, now),
        ]);
      for (const ruleId of [everyMinute, hourly]) {
        const fires = await firesOf(ruleId);
        assert.equal(fires.length, 5, `rule ${ruleId}: one fire per issue`);
        assert.equal(new Set(fires.map((f) => f.issue_id)).size, 5);
        assert.equal(await actionJobsOf(ruleId), 5);
      }
      // A minute later only the rule without an action interval fires again.
      const later = new Date(now.getTime() + 60_000);
      await Promise.all([
        evaluateFrequencyRules(knex, queue, later),
        evaluateFrequencyRules(other.knex, otherQueue, later),
      ]);
      assert.equal((await firesOf(everyMinute)).length, 10);
      assert.equal((await firesOf(hourly)).length, 5);

      // Workers whose rounds evaluate different minutes (one is late) still fire once per interval:
      // the rule's row lock makes the second see the first's fire.
      const fresh = await rule(projectId, {
        triggers: JSON.stringify([{ id: 'event_frequency', value: 2, interval: 5 }]),
        frequency_minutes: 60,
      });
      await Promise.all([
        evaluateFrequencyRules(knex, queue, later),
        evaluateFrequencyRules(other.knex, otherQueue, new Date(later.getTime() + 60_000)),
        evaluateFrequencyRules(other.knex, otherQueue, new Date(later.getTime() + 120_000)),
      ]);
      assert.equal((await firesOf(fresh)).length, 5);
    } finally {
      await otherQueue.stop();
      await other.close();
    }
  });

  describe('scheduled through the job queue', () => {
    let workers: AlertWorkers;
    const port = new RecordingActions({ webhooks: {} });

    before(async function () {
      this.timeout(30_000);
      workers = await startAlertWorkers({
        knex,
        queue,
        log: silent,
        publicUrl: 'https://faultline.example',
        actions: port,
        schedule: true,
      });
    });
    after(async () => workers?.stop());

    it('registers a cron schedule every minute, and a frequency job notifies the action', async function () {
      this.timeout(30_000);
      const schedules = await knex.raw<{ rows: { cron: string }[] }>(
        `SELECT cron FROM pgboss.schedule WHERE name = ?`,
        [ALERT_QUEUES.frequency],
      );
      assert.deepEqual(
        schedules.rows.map((r) => r.cron),
        ['* * * * *'],
      );
      const projectId = await project();
      const ruleId = await rule(projectId, {
        triggers: JSON.stringify([{ id: 'event_frequency', value: 2, interval: 15 }]),
      });
      await storeEvents(knex, projectId, users(3, 'Error'));
      // What the cron sends every minute:
      await queue.send(ALERT_QUEUES.frequency, {});
      await waitFor('the alert actions', () =>
        port.runs.some((r) => r.notification.rule.id === String(ruleId)),
      );
      const [run] = port.runs.filter((r) => r.notification.rule.id === String(ruleId));
      assert.equal(run.notification.issues[0].trigger, 'event_frequency');
      assert.equal(run.notification.issues[0].reason, 'Seen 3 times in 15 minutes');
    });
  });
});
