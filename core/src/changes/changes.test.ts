import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { errorEvent, seedAccount, storeEvents } from '../api/api-test-kit';
import { describeEachDatabase } from '../testing/databases';
import { currentChangeCursor, parseCursor, readChangesAfter, recordIssueChanges, type ChangeCursor } from '.';

const START: ChangeCursor = { txid: '0', id: '0' };

describeEachDatabase('issue change outbox', (ctx) => {
  let knex: Knex;
  let organizationId: number;
  let projectId: number;
  let issueId: number;

  const readAll = (after = START) => readChangesAfter(knex, { organizationId, after, limit: 1000 });

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    projectId = seeded.projectId;
    organizationId = (await knex('projects').where('id', projectId).first('organization_id')).organization_id;
  });

  it('records created and events_counted from the pipeline, in the batch transaction', async () => {
    const start = await currentChangeCursor(knex);
    await storeEvents(knex, projectId, [
      errorEvent({ type: 'TypeError', value: 'a' }),
      errorEvent({ type: 'TypeError', value: 'a' }),
    ]);
    const changes = await readAll(start);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.surface]),
      [
        ['created', 'pipeline'],
        ['events_counted', 'pipeline'],
      ],
    );
    issueId = changes[0].issueId;
    assert.equal(changes[0].projectId, projectId);
    assert.equal(changes[0].organizationId, organizationId);
    assert.deepEqual(changes[1].data, { timesSeen: 2, added: 2, userCount: 0 });
  });

  it('records a regression when a resolved issue sees a new event', async () => {
    await knex('issues').where('id', issueId).update({ status: 'resolved' });
    const start = await currentChangeCursor(knex);
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'a' })]);
    const changes = await readAll(start);
    assert.deepEqual(
      changes.map((c) => c.kind),
      ['regressed', 'events_counted'],
    );
    assert.equal(changes[1].data.timesSeen, 3);
  });

  it('announces nothing from a rolled-back transaction', async () => {
    const start = await currentChangeCursor(knex);
    await assert.rejects(
      knex.transaction(async (trx) => {
        await recordIssueChanges(trx, [{ issueId, kind: 'commented', surface: 'plugin' }]);
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    await knex.transaction((trx) =>
      recordIssueChanges(trx, [{ issueId, kind: 'assigned', surface: 'slack', actorUserId: null }]),
    );
    const changes = await readAll(start);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.surface]),
      [['assigned', 'slack']],
    );
  });

  it('pages through the stream with cursors, each change exactly once', async () => {
    const all = await readAll();
    const seen: number[] = [];
    let after = START;
    for (;;) {
      const page = await readChangesAfter(knex, { organizationId, after, limit: 2 });
      if (page.length === 0) break;
      seen.push(...page.map((c) => c.id));
      after = parseCursor(page.at(-1)!.cursor)!;
    }
    assert.deepEqual(
      seen,
      all.map((c) => c.id),
    );
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual(await readChangesAfter(knex, { organizationId, after, projectIds: [], limit: 10 }), []);
  });

  it('does not skip a row that commits after a later-numbered one (concurrent transactions)', async function () {
    if (ctx.db.kind !== 'postgres') this.skip(); // PGlite is one connection: no concurrent transactions
    const start = await currentChangeCursor(knex);
    // `older` starts first (its transaction id is the smaller) but allocates its row id last.
    const older = await knex.transaction();
    await older('issues')
      .where('id', issueId)
      .update({ times_seen: knex.raw('times_seen') });
    await knex.transaction((trx) =>
      recordIssueChanges(trx, [{ issueId, kind: 'commented', surface: 'api' }]),
    );
    // Committed, but a transaction that may still add earlier changes is running: not delivered yet.
    assert.deepEqual(await readAll(start), []);
    await recordIssueChanges(older, [{ issueId, kind: 'assigned', surface: 'api' }]);
    await older.commit();
    const changes = await readAll(start);
    assert.deepEqual(
      changes.map((c) => c.kind),
      ['assigned', 'commented'],
    );
    assert.ok(changes[0].id > changes[1].id, 'the row ids are out of commit order, the stream is not');
  });
});
