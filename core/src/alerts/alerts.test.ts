import assert from 'node:assert/strict';
import pino from 'pino';
import type { Knex } from 'knex';
import { errorEvent, seedAccount, startApiServer, storeEvents, type ApiServer } from '../api/api-test-kit';
import { connectDatabase } from '../db';
import { describeEachDatabase } from '../testing/databases';
import { AlertEvaluator } from './evaluator';

const silent = pino({ level: 'silent' });

describeEachDatabase('issue alerts from the change outbox', (ctx) => {
  let knex: Knex;
  let evaluator: AlertEvaluator;
  let counter = 0;

  before(async () => {
    knex = ctx.db.knex;
    evaluator = new AlertEvaluator({ knex, log: silent });
    await evaluator.drain(); // places the cursor at "now"
  });

  after(async () => evaluator?.stop());

  async function project(): Promise<{ projectId: number; token: string; org: string }> {
    const n = ++counter;
    const seeded = await seedAccount(knex, {
      organization: `org${n}`,
      project: `app${n}`,
      email: `o${n}@x.io`,
    });
    return { projectId: seeded.projectId, token: seeded.token, org: `org${n}` };
  }

  async function rule(projectId: number, fields: Record<string, unknown> = {}): Promise<number> {
    const [row] = await knex('alert_rules')
      .insert({
        project_id: projectId,
        name: 'new issues',
        triggers: JSON.stringify([{ id: 'issue.created' }]),
        filters: '[]',
        actions: JSON.stringify([{ plugin: 'webhooks', config: { url: 'http://x' } }]),
        ...fields,
      })
      .returning('id');
    return row.id as number;
  }

  const firesOf = async (ruleId: number) =>
    knex('alert_fires').where('rule_id', ruleId).orderBy('id').select('issue_id', 'change_id', 'actions');

  it('a new-issue rule fires once per issue, recording the intended actions', async () => {
    const { projectId } = await project();
    const ruleId = await rule(projectId);
    await storeEvents(knex, projectId, [
      errorEvent({ type: 'TypeError', value: 'a' }),
      errorEvent({ type: 'TypeError', value: 'a' }),
      errorEvent({ type: 'RangeError', value: 'b' }),
    ]);
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'a' })]);
    await evaluator.drain();
    const fires = await firesOf(ruleId);
    const issues: { id: number }[] = await knex('issues')
      .where('project_id', projectId)
      .orderBy('id')
      .select('id');
    assert.deepEqual(
      fires.map((f) => f.issue_id),
      issues.map((i) => i.id),
    );
    assert.deepEqual(fires[0].actions, [
      { plugin: 'webhooks', config: { url: 'http://x' }, status: 'pending' },
    ]);
  });

  it('the action interval suppresses a second fire for the same issue', async () => {
    const { projectId } = await project();
    const hourly = await rule(projectId, {
      triggers: JSON.stringify([{ id: 'issue.regressed' }]),
      frequency_minutes: 60,
    });
    const always = await rule(projectId, {
      triggers: JSON.stringify([{ id: 'issue.regressed' }]),
      frequency_minutes: 0,
    });
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'a' })]);
    for (let i = 0; i < 2; i++) {
      await knex('issues').where('project_id', projectId).update({ status: 'resolved' });
      await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'a' })]);
      await evaluator.drain();
    }
    assert.equal((await firesOf(hourly)).length, 1);
    assert.equal((await firesOf(always)).length, 2);
  });

  it('disabled rules and filtered issues do not fire', async () => {
    const { projectId } = await project();
    const disabled = await rule(projectId, { enabled: false });
    const fatalOnly = await rule(projectId, {
      filters: JSON.stringify([{ id: 'level', match: 'eq', level: 'fatal' }]),
    });
    const errors = await rule(projectId, {
      filters: JSON.stringify([{ id: 'level', match: 'gte', level: 'error' }]),
    });
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'a' })]);
    await evaluator.drain();
    assert.equal((await firesOf(disabled)).length, 0);
    assert.equal((await firesOf(fatalOnly)).length, 0);
    assert.equal((await firesOf(errors)).length, 1);
  });

  it('two evaluators on one Postgres record each fire once', async function () {
    if (ctx.db.kind !== 'postgres') this.skip();
    const other = connectDatabase({ kind: 'postgres', url: ctx.db.url!, poolMax: 3 });
    const second = new AlertEvaluator({ knex: other.knex, log: silent, pollMs: 5 });
    const first = new AlertEvaluator({ knex, log: silent, pollMs: 5 });
    try {
      const { projectId } = await project();
      const ruleId = await rule(projectId, { frequency_minutes: 0 });
      await evaluator.stop(); // the suite's evaluator would otherwise hold the lease
      await Promise.all([first.start(), second.start()]);
      for (let i = 0; i < 20; i++)
        await storeEvents(knex, projectId, [errorEvent({ type: `E${i}`, value: String(i) })]);
      const deadline = Date.now() + 15_000;
      while ((await firesOf(ruleId)).length < 20 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const fires = await firesOf(ruleId);
      assert.equal(fires.length, 20);
      assert.equal(new Set(fires.map((f) => f.issue_id)).size, 20);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      await other.close();
      evaluator = new AlertEvaluator({ knex, log: silent });
    }
  });

  describe('REST API', () => {
    let api: ApiServer;
    before(async () => {
      api = await startApiServer(knex, { actionPlugins: ['webhooks'] });
    });
    after(async () => api?.close());

    it('creates, reads, changes, lists fires of and deletes a rule', async () => {
      const { projectId, token, org } = await project();
      const base = `/api/0/projects/${org}/app${counter}/rules/`;
      const body = {
        name: 'New issues',
        conditions: [{ id: 'issue.created' }],
        filters: [{ id: 'level', match: 'gte', level: 'error' }],
        actions: [{ plugin: 'webhooks', config: { url: 'https://hooks.example/x' } }],
        frequency: 5,
      };
      const created = await api.request('post', base, body, token);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const rule = created.body as Record<string, unknown>;
      assert.deepEqual(
        { ...rule, id: undefined, dateCreated: undefined, dateModified: undefined },
        {
          ...body,
          id: undefined,
          actionMatch: 'any',
          filterMatch: 'all',
          status: 'active',
          projects: [`app${counter}`],
          dateCreated: undefined,
          dateModified: undefined,
        },
      );
      const listed = await api.get(base, token);
      assert.deepEqual(
        (listed.body as { id: string }[]).map((r) => r.id),
        [rule.id],
      );

      await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'a' })]);
      await evaluator.drain();
      const fires = await api.get(`${base}${String(rule.id)}/fires/`, token);
      assert.equal(fires.status, 200);
      assert.equal((fires.body as unknown[]).length, 1);
      assert.deepEqual((fires.body as { actions: unknown }[])[0].actions, [
        { ...body.actions[0], status: 'pending' },
      ]);

      const changed = await api.put(
        `${base}${String(rule.id)}/`,
        { status: 'disabled', frequency: 10 },
        token,
      );
      assert.equal(changed.status, 200);
      assert.equal((changed.body as { status: string }).status, 'disabled');
      assert.equal((changed.body as { frequency: number }).frequency, 10);
      assert.equal((await api.get(`${base}${String(rule.id)}/`, token)).status, 200);

      const deleted = await api.request('delete', `${base}${String(rule.id)}/`, undefined, token);
      assert.equal(deleted.status, 204);
      assert.equal((await api.get(`${base}${String(rule.id)}/`, token)).status, 404);
    });

    it('refuses an action of an unknown or not-loaded plugin, naming it', async () => {
      const { token, org } = await project();
      const base = `/api/0/projects/${org}/app${counter}/rules/`;
      const answer = await api.request(
        'post',
        base,
        {
          name: 'x',
          conditions: [{ id: 'issue.created' }],
          actions: [
            { plugin: 'webhooks', config: {} },
            { plugin: 'pagerduty', config: {} },
          ],
        },
        token,
      );
      assert.equal(answer.status, 400);
      assert.match(JSON.stringify(answer.body), /pagerduty/);
      assert.doesNotMatch(JSON.stringify(answer.body), /webhooks/);
      assert.deepEqual((await api.get(base, token)).body, []);
    });

    it("answers 404 for another project's rule", async () => {
      const mine = await project();
      const theirs = await project();
      const ruleId = await rule(theirs.projectId);
      const answer = await api.get(
        `/api/0/projects/${mine.org}/app${counter - 1}/rules/${ruleId}/`,
        mine.token,
      );
      assert.equal(answer.status, 404);
    });
  });
});
