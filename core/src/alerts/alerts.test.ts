import assert from 'node:assert/strict';
import pino from 'pino';
import type { Knex } from 'knex';
import { errorEvent, seedAccount, startApiServer, storeEvents, type ApiServer } from '../api/api-test-kit';
import { recordIssueChanges } from '../changes';
import { connectDatabase } from '../db';
import { describeEachDatabase } from '../testing/databases';
import { waitFor } from '../testing/wait';
import { RecordingActions } from './alert-test-kit';
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

  it('environment, release and tag filters look at the event that created the issue', async () => {
    const { projectId } = await project();
    const filtered = async (filters: unknown[]) => rule(projectId, { filters: JSON.stringify(filters) });
    const expectations: [number, boolean][] = [
      [await filtered([{ id: 'environment', value: 'staging' }]), true],
      [await filtered([{ id: 'environment', value: 'production' }]), false],
      [await filtered([{ id: 'release', value: 'shop@2.0.0' }]), true],
      [await filtered([{ id: 'tag', key: 'region', match: 'eq', value: 'eu-west' }]), true],
      [await filtered([{ id: 'tag', key: 'region', match: 'starts_with', value: 'us-' }]), false],
      [await filtered([{ id: 'tag', key: 'canary', match: 'not_set' }]), true],
      [await filtered([{ id: 'tag', key: 'canary', match: 'is_set' }]), false],
    ];
    await storeEvents(knex, projectId, [
      errorEvent({
        type: 'TypeError',
        value: 'a',
        environment: 'staging',
        release: 'shop@2.0.0',
        tags: { region: 'eu-west' },
      }),
    ]);
    await evaluator.drain();
    for (const [ruleId, fires] of expectations)
      assert.equal((await firesOf(ruleId)).length, fires ? 1 : 0, `rule ${ruleId}`);
  });

  it('a query filter fires for the issues its search matches, in each project of a round', async () => {
    const shop = await project();
    const other = await project();
    const query = (text: string) => JSON.stringify([{ id: 'query', query: text }]);
    const checkout = await rule(shop.projectId, { filters: query('checkout level:error') });
    const fatal = await rule(shop.projectId, { filters: query('level:fatal') });
    const otherCheckout = await rule(other.projectId, { filters: query('checkout level:error') });
    const event = (type: string, value: string) => errorEvent({ type, value, functionName: type });
    await storeEvents(knex, shop.projectId, [
      event('TypeError', 'checkout total is negative'),
      event('AuthError', 'login refused'),
      event('RangeError', 'checkout rounding'),
    ]);
    await storeEvents(knex, other.projectId, [event('AuthError', 'login refused')]);
    // One drain, one round: the changes of both projects are evaluated together.
    await evaluator.drain();
    const titled = async (projectId: number, word: string) =>
      (await knex('issues').where('project_id', projectId).orderBy('id').select('id', 'title'))
        .filter((i: { title: string }) => i.title.includes(word))
        .map((i: { id: number }) => i.id);
    assert.deepEqual(
      (await firesOf(checkout)).map((f) => f.issue_id),
      await titled(shop.projectId, 'checkout'),
    );
    assert.equal((await titled(shop.projectId, 'checkout')).length, 2);
    assert.equal((await firesOf(fatal)).length, 0);
    assert.equal((await firesOf(otherCheckout)).length, 0);
  });

  it("a state change is filtered by the issue's latest event", async () => {
    const { projectId } = await project();
    const staging = await rule(projectId, {
      triggers: JSON.stringify([{ id: 'issue.state_changed', to: 'resolved' }]),
      filters: JSON.stringify([{ id: 'environment', value: 'staging' }]),
    });
    const production = await rule(projectId, {
      triggers: JSON.stringify([{ id: 'issue.state_changed', to: 'resolved' }]),
      filters: JSON.stringify([{ id: 'environment', value: 'production' }]),
    });
    await storeEvents(knex, projectId, [
      errorEvent({ type: 'TypeError', value: 'a', environment: 'staging' }),
    ]);
    await evaluator.drain();
    const issue = await knex('issues').where('project_id', projectId).first('id');
    await knex.transaction(async (trx) => {
      await trx('issues').where('id', issue.id).update({ status: 'resolved' });
      await recordIssueChanges(trx, [
        {
          issueId: issue.id,
          kind: 'state_changed',
          surface: 'api',
          data: { from: { status: 'unresolved' }, to: { status: 'resolved' } },
        },
      ]);
    });
    await evaluator.drain();
    assert.equal((await firesOf(staging)).length, 1);
    assert.equal((await firesOf(production)).length, 0);
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

  it('runs as soon as a change is announced, from another process too, not on its slow poll', async function () {
    this.timeout(30_000);
    // On Postgres the watcher has a connection (and a signal listener) of its own, as another process has.
    const other =
      ctx.db.kind === 'postgres'
        ? connectDatabase({ kind: 'postgres', url: ctx.db.url!, poolMax: 3 })
        : undefined;
    const watcher = new AlertEvaluator({ knex: other?.knex ?? knex, log: silent, idlePollMs: 600_000 });
    const { projectId } = await project();
    const ruleId = await rule(projectId, { frequency_minutes: 0 });
    await evaluator.stop();
    try {
      await watcher.start();
      await other?.signals.ready();
      // Past the rounds that follow its start: from here on it looks only when told to (or in 10 min).
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const startedAt = Date.now();
      await storeEvents(knex, projectId, [errorEvent({ type: 'WakeError', value: 'now' })]);
      await waitFor('the fire', async () => (await firesOf(ruleId)).length === 1, 10_000);
      assert.ok(Date.now() - startedAt < 10_000);
    } finally {
      await watcher.stop();
      await other?.close();
      evaluator = new AlertEvaluator({ knex, log: silent });
    }
  });

  it('reads no change while no enabled rule has a change trigger; a rule made then sees later changes only', async function () {
    this.timeout(30_000);
    await knex('alert_rules').update({ enabled: false });
    const { projectId } = await project();
    await rule(projectId, { triggers: JSON.stringify([{ id: 'event_frequency', value: 1, interval: 1 }]) });
    await storeEvents(knex, projectId, [errorEvent({ type: 'UnwatchedError', value: 'x' })]);
    const unwatched = await knex('issues').where('project_id', projectId).first<{ id: number }>('id');
    await evaluator.stop();
    const watcher = new AlertEvaluator({ knex, log: silent });
    try {
      await watcher.start();
      await waitFor('the cursor to move past the change unread', async () => {
        const { rows } = await knex.raw<{ rows: { passed: boolean }[] }>(
          `SELECT EXISTS (SELECT 1 FROM change_cursors k, issue_changes c
                           WHERE k.consumer = 'issue-alerts' AND c.issue_id = ?
                             AND (k.txid, k.change_id) >= (c.txid, c.id)) AS passed`,
          [unwatched.id],
        );
        return rows[0].passed;
      });
    } finally {
      await watcher.stop();
      evaluator = new AlertEvaluator({ knex, log: silent });
    }
    const ruleId = await rule(projectId, { frequency_minutes: 0 });
    await storeEvents(knex, projectId, [errorEvent({ type: 'WatchedError', value: 'y' })]);
    await evaluator.drain();
    const watched = await knex('issues').where('project_id', projectId).orderBy('id', 'desc').first('id');
    assert.deepEqual(
      (await firesOf(ruleId)).map((f) => f.issue_id),
      [watched.id],
    );
  });

  describe('REST API', () => {
    let api: ApiServer;
    before(async () => {
      api = await startApiServer(knex, {
        alertActions: new RecordingActions({
          webhooks: { required: ['url'] },
          slack: { enabled: false },
          sentinel: { hasAlertAction: false },
        }),
      });
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
          digest: null,
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

    it('takes a query filter the search can read, refuses one it cannot naming the token, and lists it for editors', async () => {
      const { projectId, token, org } = await project();
      const base = `/api/0/projects/${org}/app${counter}/rules/`;
      const body = (query: string) => ({
        name: 'Checkout',
        conditions: [{ id: 'issue.created' }],
        filters: [{ id: 'query', query }],
        actions: [{ plugin: 'webhooks', config: { url: 'https://hooks.example/x' } }],
      });
      const bad = await api.request('post', base, body('checkout is:sleepy'), token);
      assert.equal(bad.status, 400);
      assert.match(
        JSON.stringify(bad.body),
        /filters\.0\.query.*Invalid search at character 10 \(\\"is:sleepy\\"\)/,
      );
      const created = await api.request('post', base, body('checkout level:error'), token);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const ruleId = Number((created.body as { id: string }).id);

      // Only the issue that matches the search fires the rule.
      await storeEvents(knex, projectId, [
        errorEvent({ type: 'TypeError', value: 'login refused' }),
        errorEvent({ type: 'RangeError', value: 'checkout total negative' }),
      ]);
      await evaluator.drain();
      const fired = await knex('issues')
        .whereIn(
          'id',
          (await firesOf(ruleId)).map((f: { issue_id: number }) => f.issue_id),
        )
        .pluck('title');
      assert.equal(fired.length, 1);
      assert.match(String(fired[0]), /checkout total negative/);

      // The rule editor is offered the filter, with its field, from the same schema.
      const terms = await api.get(`${base}configuration/`, token);
      const query = (
        terms.body as { filters: { id: string; label: string; schema: unknown }[] }
      ).filters.find((f) => f.id === 'query');
      assert.equal(query?.label, 'The issue matches a search');
      assert.match(JSON.stringify(query?.schema), /"query":\{"type":"string"/);
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
            { plugin: 'webhooks', config: { url: 'https://hooks.example/x' } },
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

    const REFUSED: {
      name: string;
      action: { plugin: string; config: Record<string, unknown> };
      says: RegExp;
    }[] = [
      {
        name: 'an unknown plugin',
        action: { plugin: 'pagerduty', config: {} },
        says: /unknown plugin "pagerduty"/,
      },
      {
        name: 'a plugin disabled for the project',
        action: { plugin: 'slack', config: {} },
        says: /"slack" is disabled for this project/,
      },
      {
        name: 'a plugin without an alert action',
        action: { plugin: 'sentinel', config: {} },
        says: /"sentinel" offers no alert action/,
      },
      {
        name: 'an invalid action config',
        action: { plugin: 'webhooks', config: { url: '' } },
        says: /actions\[0\] \(plugin "webhooks"\): config invalid: url is required/,
      },
    ];
    for (const c of REFUSED)
      it(`answers 400 for ${c.name}, on create and on change`, async () => {
        const { token, org } = await project();
        const base = `/api/0/projects/${org}/app${counter}/rules/`;
        const created = await api.request(
          'post',
          base,
          { name: 'x', conditions: [{ id: 'issue.created' }], actions: [c.action] },
          token,
        );
        assert.equal(created.status, 400);
        assert.match((created.body as { detail: string }).detail, c.says);
        const good = await api.request(
          'post',
          base,
          {
            name: 'y',
            conditions: [{ id: 'issue.created' }],
            actions: [{ plugin: 'webhooks', config: { url: 'https://hooks.example/x' } }],
          },
          token,
        );
        assert.equal(good.status, 201);
        const changed = await api.put(
          `${base}${(good.body as { id: string }).id}/`,
          { actions: [c.action] },
          token,
        );
        assert.equal(changed.status, 400);
        assert.match((changed.body as { detail: string }).detail, c.says);
      });

    it('checks the stored actions again when a change leaves the rule active', async () => {
      const { projectId, token, org } = await project();
      const base = `/api/0/projects/${org}/app${counter}/rules/`;
      // Saved while the plugin was usable; it has been turned off for the project since.
      const stale = JSON.stringify([{ plugin: 'slack', config: {} }]);
      const disabledRule = await rule(projectId, { actions: stale, enabled: false });
      const renamed = await api.put(`${base}${disabledRule}/`, { name: 'still off' }, token);
      assert.equal(renamed.status, 200, 'a disabled rule is not acting: no check');
      const activated = await api.put(`${base}${disabledRule}/`, { status: 'active' }, token);
      assert.equal(activated.status, 400);
      assert.match(
        (activated.body as { detail: string }).detail,
        /actions\[0\] \(plugin "slack"\): plugin "slack" is disabled for this project/,
      );
      assert.equal(
        ((await api.get(`${base}${disabledRule}/`, token)).body as { status: string }).status,
        'disabled',
      );

      const activeRule = await rule(projectId, { actions: stale });
      const changed = await api.put(`${base}${activeRule}/`, { frequency: 10 }, token);
      assert.equal(changed.status, 400);
      assert.match((changed.body as { detail: string }).detail, /"slack" is disabled for this project/);
      const turnedOff = await api.put(`${base}${activeRule}/`, { status: 'disabled' }, token);
      assert.equal(turnedOff.status, 200, 'turning an unusable rule off is allowed');
      const fixed = await api.put(
        `${base}${activeRule}/`,
        { status: 'active', actions: [{ plugin: 'webhooks', config: { url: 'https://hooks.example/x' } }] },
        token,
      );
      assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    });

    it('without a port every action is refused as an unknown plugin', async () => {
      const bare = await startApiServer(knex);
      try {
        const { token, org } = await project();
        const answer = await bare.request(
          'post',
          `/api/0/projects/${org}/app${counter}/rules/`,
          {
            name: 'x',
            conditions: [{ id: 'issue.created' }],
            actions: [{ plugin: 'webhooks', config: { url: 'https://hooks.example/x' } }],
          },
          token,
        );
        assert.equal(answer.status, 400);
        assert.match((answer.body as { detail: string }).detail, /plugin "webhooks"\): unknown plugin/);
      } finally {
        await bare.close();
      }
    });

    it('takes frequency conditions, event filters and a digest, and refuses an unsupported window', async () => {
      const { token, org } = await project();
      const base = `/api/0/projects/${org}/app${counter}/rules/`;
      const body = {
        name: 'Busy in production',
        conditions: [
          { id: 'event_frequency', value: 100, interval: 5 },
          { id: 'event_unique_user_frequency', value: 10, interval: 60 },
        ],
        filters: [
          { id: 'environment', value: 'production' },
          { id: 'release', value: 'api@1.0.0' },
          { id: 'tag', key: 'region', match: 'starts_with', value: 'eu-' },
          { id: 'tag', key: 'canary', match: 'not_set' },
        ],
        actions: [{ plugin: 'webhooks', config: { url: 'https://hooks.example/x' } }],
        digest: { minutes: 10 },
      };
      const created = await api.request('post', base, body, token);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const rule = created.body as Record<string, unknown>;
      assert.deepEqual(
        [rule.conditions, rule.filters, rule.digest],
        [body.conditions, body.filters, body.digest],
      );
      const cleared = await api.put(`${base}${String(rule.id)}/`, { digest: null }, token);
      assert.equal((cleared.body as { digest: unknown }).digest, null);
      const wrong = await api.request(
        'post',
        base,
        { ...body, conditions: [{ id: 'event_frequency', value: 100, interval: 7 }] },
        token,
      );
      assert.equal(wrong.status, 400);
      assert.match(JSON.stringify(wrong.body), /interval/);
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
