import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { errorEvent, seedAccount, storeEvents } from '../api/api-test-kit';
import { describeEachDatabase } from '../testing/databases';
import {
  isBeforeHorizon,
  parseCursor,
  pruneChanges,
  readChangesAfter,
  recordIssueChanges,
  type ChangeCursor,
} from '.';

const START: ChangeCursor = { txid: '0', id: '0' };
const DAY_MS = 86_400_000;

describeEachDatabase('pruning the issue change outbox', (ctx) => {
  let knex: Knex;
  let organizationId: number;
  let issueId: number;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    organizationId = (await knex('projects').where('id', seeded.projectId).first('organization_id'))
      .organization_id;
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'TypeError', value: 'old' })]);
    issueId = (await knex('issues').where('project_id', seeded.projectId).first('id')).id;
  });

  const readAll = (after = START) => readChangesAfter(knex, { organizationId, after, limit: 1000 });

  it('deletes changes past retention in batches, keeps newer ones, and moves the horizon past the pruned', async () => {
    for (let i = 0; i < 5; i++)
      await knex.transaction((trx) =>
        recordIssueChanges(trx, [{ issueId, kind: 'commented', surface: 'api', data: { i } }]),
      );
    const all = await readAll();
    // Everything so far is 40 days old; one more change is recent.
    await knex('issue_changes').update({ created_at: new Date(Date.now() - 40 * DAY_MS) });
    await knex.transaction((trx) => recordIssueChanges(trx, [{ issueId, kind: 'assigned', surface: 'api' }]));
    const resumeFromOld = parseCursor(all[1].cursor)!;
    assert.equal(await isBeforeHorizon(knex, resumeFromOld), false, 'nothing pruned yet');

    const deleted = await pruneChanges(knex, new Date(Date.now() - 30 * DAY_MS), 2);
    assert.equal(deleted, all.length);
    assert.deepEqual(
      (await readAll()).map((c) => c.kind),
      ['assigned'],
    );
    assert.equal(await isBeforeHorizon(knex, resumeFromOld), true, 'a cursor from before the pruned rows');
    assert.equal(
      await isBeforeHorizon(knex, parseCursor(all.at(-1)!.cursor)!),
      false,
      'the newest pruned change: nothing after it was lost',
    );
    assert.equal(await pruneChanges(knex, new Date(Date.now() - 30 * DAY_MS)), 0, 'again: nothing to do');
    assert.equal(await isBeforeHorizon(knex, resumeFromOld), true, 'the horizon never moves back');
  });
});
