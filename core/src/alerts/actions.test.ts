import assert from 'node:assert/strict';
import pino from 'pino';
import type { Knex } from 'knex';
import { errorEvent, seedAccount, storeEvents } from '../api/api-test-kit';
import { JobQueue } from '../jobs';
import { describeEachDatabase } from '../testing/databases';
import { RecordingActions } from './alert-test-kit';
import { waitFor } from '../testing/wait';
import { closeDigest } from './fires';
import { startAlertWorkers, type AlertWorkers } from './workers';

const silent = pino({ level: 'silent' });
const PUBLIC_URL = 'https://faultline.example';

interface StoredAction {
  plugin: string;
  status: string;
  error?: string;
}

describeEachDatabase('alert actions through the job queue', (ctx) => {
  let knex: Knex;
  let queue: JobQueue;
  let workers: AlertWorkers;
  let counter = 0;
  const port = new RecordingActions({
    webhooks: {},
    email: {},
    flaky: { failures: 1 },
    down: { failures: Infinity },
    unconfigured: { failCode: 'plugin_config_invalid' },
  });

  before(async function () {
    this.timeout(30_000);
    knex = ctx.db.knex;
    queue = await JobQueue.start(knex, silent, { maintenance: false });
    workers = await startAlertWorkers({
      knex,
      queue,
      log: silent,
      publicUrl: PUBLIC_URL,
      actions: port,
      retry: { limit: 2, delaySeconds: 1 },
      schedule: false,
    });
  });

  after(async () => {
    await workers?.stop();
    await queue?.stop();
  });

  async function project(): Promise<{ projectId: number; slug: string; org: string }> {
    const n = ++counter;
    const seeded = await seedAccount(knex, {
      organization: `org${n}`,
      project: `app${n}`,
      email: `o${n}@x.io`,
    });
    return { projectId: seeded.projectId, slug: `app${n}`, org: `org${n}` };
  }

  async function rule(projectId: number, fields: Record<string, unknown>): Promise<number> {
    const [row] = await knex('alert_rules')
      .insert({
        project_id: projectId,
        name: 'New issues',
        triggers: JSON.stringify([{ id: 'issue.created' }]),
        filters: '[]',
        frequency_minutes: 0,
        ...fields,
      })
      .returning('id');
    return row.id as number;
  }

  const actionsOf = async (ruleId: number): Promise<StoredAction[][]> =>
    (await knex('alert_fires').where('rule_id', ruleId).orderBy('id').select('actions')).map(
      (r: { actions: unknown }) =>
        (typeof r.actions === 'string' ? JSON.parse(r.actions) : r.actions) as StoredAction[],
    );

  it('a fire runs each action once with the notification, and marks them sent', async function () {
    this.timeout(30_000);
    const { projectId, slug, org } = await project();
    const ruleId = await rule(projectId, {
      actions: JSON.stringify([
        { plugin: 'webhooks', config: { url: 'https://hooks.example/a' } },
        { plugin: 'email', config: { to: 'ops@x.io' } },
      ]),
    });
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'boom' })]);
    await waitFor(
      'the alert actions',
      async () =>
        (await actionsOf(ruleId)).flat().every((a) => a.status === 'sent') &&
        (await actionsOf(ruleId)).length === 1,
    );
    const issue = await knex('issues').where('project_id', projectId).first('id', 'short_id');
    const [hook] = port.runs.filter(
      (r) => r.notification.rule.id === String(ruleId) && r.pluginId === 'webhooks',
    );
    assert.ok(
      hook,
      `no webhooks run for rule ${ruleId}; runs: ${JSON.stringify(port.runs.map((r) => [r.pluginId, r.notification.id, r.notification.rule.id]))}, fires: ${JSON.stringify(await actionsOf(ruleId))}`,
    );
    const n = hook.notification;
    assert.equal(n.digest, false);
    assert.deepEqual(n.rule, { id: String(ruleId), name: 'New issues' });
    assert.deepEqual(n.project, { id: String(projectId), slug, name: slug });
    assert.equal(n.organization.slug, org);
    assert.deepEqual(n.config, { url: 'https://hooks.example/a' });
    assert.equal(n.issues.length, 1);
    const [alerted] = n.issues;
    assert.equal(alerted.trigger, 'issue.created');
    assert.equal(alerted.reason, 'New issue');
    assert.equal(alerted.issue.shortId, `${slug.toUpperCase()}-${issue.short_id}`);
    assert.equal(alerted.issue.permalink, `${PUBLIC_URL}/organizations/${org}/issues/${issue.id}/`);
    assert.equal(alerted.issue.title, 'TypeError: boom');
    assert.equal(alerted.issue.count, 1);
    const mail = port.runs.filter((r) => r.notification.rule.id === String(ruleId) && r.pluginId === 'email');
    assert.equal(mail.length, 1);
    assert.notEqual(mail[0].notification.id, n.id, 'each action has its own notification id');
  });

  it('a failing action is retried with the same notification id and then sent', async function () {
    this.timeout(30_000);
    const { projectId } = await project();
    const ruleId = await rule(projectId, { actions: JSON.stringify([{ plugin: 'flaky', config: {} }]) });
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'flaky' })]);
    await waitFor('the alert actions', async () => (await actionsOf(ruleId)).flat()[0]?.status === 'sent');
    const calls = port.runsOf('flaky').filter((n) => n.rule.id === String(ruleId));
    assert.equal(calls.length, 2);
    assert.equal(calls[0].id, calls[1].id);
  });

  it('an action failing on every attempt is marked failed with the error, after the last retry', async function () {
    this.timeout(30_000);
    const { projectId } = await project();
    const ruleId = await rule(projectId, { actions: JSON.stringify([{ plugin: 'down', config: {} }]) });
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'down' })]);
    await waitFor('the alert actions', async () => (await actionsOf(ruleId)).flat()[0]?.status === 'failed');
    const calls = port.runsOf('down').filter((n) => n.rule.id === String(ruleId));
    assert.equal(calls.length, 3, 'the first attempt and two retries');
    assert.equal(new Set(calls.map((c) => c.id)).size, 1);
    assert.deepEqual((await actionsOf(ruleId)).flat()[0], {
      plugin: 'down',
      config: {},
      status: 'failed',
      error: 'down is unreachable (attempt 3)',
    });
  });

  it('an action whose plugin settings are missing is marked failed at once, without retries', async function () {
    this.timeout(30_000);
    const { projectId } = await project();
    const ruleId = await rule(projectId, {
      actions: JSON.stringify([{ plugin: 'unconfigured', config: {} }]),
    });
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'unconfigured' })]);
    await waitFor('the alert actions', async () => (await actionsOf(ruleId)).flat()[0]?.status === 'failed');
    assert.deepEqual((await actionsOf(ruleId)).flat()[0], {
      plugin: 'unconfigured',
      config: {},
      status: 'failed',
      error: 'unconfigured failed with plugin_config_invalid',
    });
    // Past the first retry's delay (1 s): no further call.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(port.runsOf('unconfigured').filter((n) => n.rule.id === String(ruleId)).length, 1);
  });

  it('a digest collects the fires of its window into one notification per action', async function () {
    this.timeout(30_000);
    const { projectId } = await project();
    const ruleId = await rule(projectId, {
      digest_minutes: 10,
      actions: JSON.stringify([{ plugin: 'webhooks', config: { url: 'https://hooks.example/d' } }]),
    });
    await storeEvents(knex, projectId, [
      errorEvent({ type: 'TypeError', value: 'one', functionName: 'a' }),
      errorEvent({ type: 'RangeError', value: 'two', functionName: 'b' }),
    ]);
    await storeEvents(knex, projectId, [
      errorEvent({ type: 'SyntaxError', value: 'three', functionName: 'c' }),
    ]);
    await waitFor('the alert actions', async () => (await actionsOf(ruleId)).length === 3);
    const digests = await knex('alert_digests').where('rule_id', ruleId).select('id', 'closed_at');
    assert.equal(digests.length, 1, 'one open digest for the window');
    assert.equal(digests[0].closed_at, null);
    // The window's job waits for the digest's minutes, once per digest.
    const jobs = await knex.raw<{ rows: { start_after: Date; created_on: Date; singleton_key: string }[] }>(
      `SELECT start_after, created_on, singleton_key FROM pgboss.job WHERE name = 'alert-digest' AND data->>'digestId' = ?`,
      [String(digests[0].id)],
    );
    assert.equal(jobs.rows.length, 1);
    assert.equal(jobs.rows[0].singleton_key, `alert-digest-${String(digests[0].id)}`);
    const delayMinutes =
      (new Date(jobs.rows[0].start_after).getTime() - new Date(jobs.rows[0].created_on).getTime()) / 60_000;
    assert.ok(Math.abs(delayMinutes - 10) < 0.1, `delay ${delayMinutes} min`);
    assert.equal(
      port.runs.filter((r) => r.notification.rule.id === String(ruleId)).length,
      0,
      'nothing sent yet',
    );

    // The window passes (the delayed job would do this): close it.
    await closeDigest(knex, queue, Number(digests[0].id));
    await waitFor('the alert actions', async () =>
      (await actionsOf(ruleId)).flat().every((a) => a.status === 'sent'),
    );
    const sent = port.runs.filter((r) => r.notification.rule.id === String(ruleId));
    assert.equal(sent.length, 1);
    assert.equal(sent[0].notification.digest, true);
    assert.deepEqual(sent[0].notification.issues.map((i) => i.issue.title).sort(), [
      'RangeError: two',
      'SyntaxError: three',
      'TypeError: one',
    ]);
    // Closing again sends nothing more; a later fire opens a new digest.
    await closeDigest(knex, queue, Number(digests[0].id));
    await storeEvents(knex, projectId, [errorEvent({ type: 'EvalError', value: 'four', functionName: 'd' })]);
    await waitFor(
      'the alert actions',
      async () => (await knex('alert_digests').where('rule_id', ruleId)).length === 2,
    );
    assert.equal(port.runs.filter((r) => r.notification.rule.id === String(ruleId)).length, 1);
  });
});
