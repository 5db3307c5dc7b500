import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../testing/databases';
import { errorEvent, seedAccount, startApiServer, storeEvents, type ApiServer } from './api-test-kit';

interface Activity {
  type: string;
  dateCreated: string;
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
      ['set_unresolved', 'assigned', 'set_resolved', 'first_seen'],
    );
    for (const entry of activity.slice(0, 3)) {
      assert.deepEqual(entry.user, { id: String(userId), email: 'owner@acme.io' });
      assert.equal(entry.surface, 'api', 'a bearer token is the api client');
    }
    assert.deepEqual(activity[1].data, { assignee: `user:${userId}` });
  });

  it('shows comments as notes with their current text, and first_seen as the oldest entry', async () => {
    const posted = await api.request(
      'post',
      `/api/0/issues/${issueId}/comments/`,
      { text: 'looking' },
      token,
    );
    assert.equal(posted.status, 201);
    const commentId = (posted.body as { id: string }).id;
    const edited = await api.request(
      'put',
      `/api/0/issues/${issueId}/comments/${commentId}/`,
      { text: 'fixed in #12' },
      token,
    );
    assert.equal(edited.status, 200);

    const { activity } = (await api.get(`/api/0/issues/${issueId}/activities/`, token)).body as {
      activity: Activity[];
    };
    const note = activity.find((a) => a.type === 'note');
    assert.ok(note, 'the comment is in the activity');
    assert.equal(note.data.text, 'fixed in #12', 'an edited comment shows its current text');
    assert.deepEqual(note.user, { id: String(userId), email: 'owner@acme.io' });
    assert.equal(note.surface, 'api');
    assert.equal(activity.at(-1)?.type, 'first_seen');
    assert.equal(activity.at(-1)?.user, null);
  });

  it('records that a new event reopened the resolved issue (set_regression, with its release)', async () => {
    const path = `/api/0/issues/${issueId}/`;
    assert.equal((await api.request('put', path, { status: 'resolved' }, token)).status, 200);
    const project = (await knex('issues').where('id', issueId).first('project_id')).project_id as number;
    await storeEvents(knex, project, [
      errorEvent({ type: 'TypeError', value: 'boom', release: 'app@2.0.0' }),
    ]);
    await storeEvents(knex, project, [
      errorEvent({ type: 'TypeError', value: 'boom', release: 'app@2.0.1' }),
    ]);

    const { activity } = (await api.get(`/api/0/issues/${issueId}/activities/`, token)).body as {
      activity: Activity[];
    };
    assert.deepEqual(
      activity.slice(0, 2).map((a) => a.type),
      ['set_regression', 'set_resolved'],
      'one regression, not one per event',
    );
    assert.equal(activity[0].data.version, 'app@2.0.0');
    assert.equal(activity[0].user, null);
    assert.equal(activity[0].surface, 'pipeline');
    assert.equal(activity.filter((a) => a.type === 'set_regression').length, 1);
  });

  it('answers 404 for an issue of another organization, as for one that does not exist', async () => {
    const other = await seedAccount(knex, { organization: 'other', project: 'web', email: 'x@other.io' });
    assert.equal((await api.get(`/api/0/issues/${issueId}/activities/`, other.token)).status, 404);
  });
});
