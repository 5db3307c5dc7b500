import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../testing/databases';
import { errorEvent, seedAccount, startApiServer, storeEvents, type ApiServer } from './api-test-kit';

interface Activity {
  type: string;
  data: Record<string, unknown>;
  user: { id: string | null; email: string | null } | null;
  surface: string | null;
}

describeEachDatabase('REST API issue activity', (ctx) => {
  let knex: Knex;
  let api: ApiServer;
  let token: string;
  let userId: number;
  let issueId: number;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    token = seeded.token;
    userId = seeded.userId;
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'TypeError', value: 'boom' })]);
    issueId = (await knex('issues').where('project_id', seeded.projectId).first('id')).id;
    api = await startApiServer(knex);
  });

  after(async () => api.close());

  it('lists what was done to the issue, newest first, with who did it and through which surface', async () => {
    const path = `/api/0/issues/${issueId}/`;
    assert.equal((await api.request('put', path, { status: 'resolved' }, token)).status, 200);
    assert.equal(
      (await api.request('put', path, { status: 'unresolved', assignedTo: `user:${userId}` }, token)).status,
      200,
    );

    const answer = await api.get(`/api/0/issues/${issueId}/activities/`, token);
    assert.equal(answer.status, 200);
    const { activity } = answer.body as { activity: Activity[] };
    assert.deepEqual(
      activity.map((a) => a.type),
      ['set_unresolved', 'assigned', 'set_resolved'],
    );
    for (const entry of activity) {
      assert.deepEqual(entry.user, { id: String(userId), email: 'owner@acme.io' });
      assert.equal(entry.surface, 'api', 'a bearer token is the api client');
    }
    assert.deepEqual(activity[1].data, { assignee: `user:${userId}` });
  });

  it('answers 404 for an issue of another organization, as for one that does not exist', async () => {
    const other = await seedAccount(knex, { organization: 'other', project: 'web', email: 'x@other.io' });
    assert.equal((await api.get(`/api/0/issues/${issueId}/activities/`, other.token)).status, 404);
  });
});
