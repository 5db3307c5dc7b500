import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { AccountsRepository, ADMIN_SCOPES } from '../accounts';
import { currentChangeCursor } from '../changes';
import { MAX_COMMENT_CHARS } from '../issues';
import { describeEachDatabase } from '../testing/databases';
import { changesSince, lastChangeId } from '../testing/changes';
import { ChangeStreams } from './change-streams';
import {
  errorEvent,
  seedAccount,
  startApiServer,
  storeEvents,
  tokenWithScopes,
  type ApiServer,
} from './api-test-kit';

interface Note {
  id: string;
  type: string;
  data: { text: string };
  user: { id: string; email: string; name: string } | null;
  dateCreated: string;
}

describeEachDatabase('REST API issue comments (notes)', (ctx) => {
  let knex: Knex;
  let api: ApiServer;
  let token: string;
  let userId: number;
  let organizationId: number;
  let issueId: number;
  const path = () => `/api/0/issues/${issueId}/comments/`;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    token = seeded.token;
    userId = seeded.userId;
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'TypeError', value: 'boom' })]);
    const issue = await knex('issues').where('project_id', seeded.projectId).first('id');
    issueId = issue.id;
    organizationId = (await knex('projects').where('id', seeded.projectId).first('organization_id'))
      .organization_id;
    api = await startApiServer(knex);
  });

  after(async () => api.close());

  it('adds a comment (201, Sentry note shape) and lists comments newest first', async () => {
    const first = await api.request('post', path(), { text: 'Looking into it' }, token);
    assert.equal(first.status, 201);
    const note = first.body as Note;
    assert.equal(note.type, 'note');
    assert.deepEqual(note.data, { text: 'Looking into it' });
    assert.deepEqual(note.user, { id: String(userId), email: 'owner@acme.io', name: note.user!.name });
    assert.ok(!Number.isNaN(Date.parse(note.dateCreated)));
    await api.request('post', path(), { text: 'Fixed in #42', mentions: [] }, token);
    const list = await api.get(path(), token);
    assert.equal(list.status, 200);
    assert.deepEqual(
      (list.body as Note[]).map((n) => n.data.text),
      ['Fixed in #42', 'Looking into it'],
    );
    const issue = await api.get(`/api/0/issues/${issueId}/`, token);
    assert.equal((issue.body as { numComments: number }).numComments, 2, 'the issue counts its comments');
  });

  it('announces each comment in the change stream as `commented`, with its actor and surface', async () => {
    const start = await lastChangeId(knex);
    const posted = (await api.request('post', path(), { text: 'Deployed the fix' }, token)).body as Note;
    const changes = await changesSince(knex, organizationId, start, 1);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.surface, c.actorUserId, c.issueId, c.data]),
      [['commented', 'api', userId, issueId, { commentId: posted.id, text: 'Deployed the fix' }]],
    );
  });

  it('streams a comment to change-stream clients as an `issue.commented` event', async () => {
    const streams = new ChangeStreams(knex, { pollMs: 50, heartbeatMs: 60_000 });
    const out = streams.subscribe({
      organizationId,
      projectIds: undefined,
      after: await currentChangeCursor(knex),
    });
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    try {
      const posted = (await api.request('post', path(), { text: 'On the stream' }, token)).body as Note;
      const deadline = Date.now() + 10_000;
      while (!text.includes('event: issue.commented') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const event = /event: issue\.commented\ndata: (.*)\n/.exec(text);
      assert.ok(event, text);
      const data = JSON.parse(event[1]) as { kind: string; issueId: string; surface: string; data: unknown };
      assert.deepEqual(
        [data.kind, data.issueId, data.surface, data.data],
        ['commented', String(issueId), 'api', { commentId: posted.id, text: 'On the stream' }],
      );
    } finally {
      streams.closeAll();
    }
  });

  it('refuses empty, blank, missing and too long text with a 400 naming `text`', async () => {
    const start = await lastChangeId(knex);
    for (const body of [{ text: '' }, { text: '   \n' }, {}, { text: 'x'.repeat(MAX_COMMENT_CHARS + 1) }]) {
      const answer = await api.request('post', path(), body, token);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match((answer.body as { detail: string }).detail, /`text`/);
    }
    assert.equal(
      (await api.request('post', path(), { text: 'x'.repeat(MAX_COMMENT_CHARS) }, token)).status,
      201,
    );
    const changes = await changesSince(knex, organizationId, start, 1);
    assert.equal(changes.length, 1, 'only the accepted comment is announced');
  });

  it('needs event:write to comment and access to the project to see comments', async () => {
    const reader = await tokenWithScopes(knex, 'owner@acme.io', ['event:read']);
    assert.equal((await api.get(path(), reader)).status, 200);
    const refused = await api.request('post', path(), { text: 'hi' }, reader);
    assert.equal(refused.status, 403);
    assert.match((refused.body as { detail: string }).detail, /event:write/);

    const accounts = new AccountsRepository(knex);
    const outsider = await accounts.ensureUser('carol@acme.io', false);
    await accounts.ensureMember(organizationId, outsider.id, 'member');
    const outsiderToken = await accounts.createToken(outsider.id, 'carol', ADMIN_SCOPES);
    assert.equal((await api.get(path(), outsiderToken)).status, 404);
    assert.equal((await api.request('post', path(), { text: 'hi' }, outsiderToken)).status, 404);
    assert.equal((await api.get('/api/0/issues/999999/comments/', token)).status, 404);
  });

  it("serves the same comments under the organization's issue path", async () => {
    const direct = (await api.get(path(), token)).body as Note[];
    const scoped = await api.get(`/api/0/organizations/acme/issues/${issueId}/comments/`, token);
    assert.equal(scoped.status, 200);
    assert.deepEqual(scoped.body, direct);
    const posted = await api.request(
      'post',
      `/api/0/organizations/acme/issues/${issueId}/comments/`,
      { text: 'via the organization' },
      token,
    );
    assert.equal(posted.status, 201);
    await seedAccount(knex, { organization: 'other', project: 'web', email: 'owner@acme.io' });
    assert.equal(
      (await api.get(`/api/0/organizations/other/issues/${issueId}/comments/`, token)).status,
      404,
    );
  });

  it('keeps comments whose author is gone, without an author', async () => {
    const accounts = new AccountsRepository(knex);
    const leaver = await accounts.ensureUser('dave@acme.io', false);
    await accounts.ensureMember(organizationId, leaver.id, 'owner');
    const leaverToken = await accounts.createToken(leaver.id, 'dave', ADMIN_SCOPES);
    await api.request('post', path(), { text: 'from dave' }, leaverToken);
    await knex('users').where('id', leaver.id).delete();
    const list = (await api.get(path(), token)).body as Note[];
    const kept = list.find((n) => n.data.text === 'from dave');
    assert.equal(kept?.user, null);
  });

  it('lets the author change and delete a comment, announcing both; numComments follows', async () => {
    const posted = (await api.request('post', path(), { text: 'Typo in teh fix' }, token)).body as Note;
    const countBefore = ((await api.get(`/api/0/issues/${issueId}/`, token)).body as { numComments: number })
      .numComments;
    const start = await lastChangeId(knex);
    const edited = await api.put(`${path()}${posted.id}/`, { text: 'Typo in the fix' }, token);
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual(
      [(edited.body as Note).id, (edited.body as Note).data],
      [posted.id, { text: 'Typo in the fix' }],
    );
    const listed = (await api.get(path(), token)).body as Note[];
    assert.equal(listed.find((n) => n.id === posted.id)?.data.text, 'Typo in the fix');

    const deleted = await api.request('delete', `${path()}${posted.id}/`, undefined, token);
    assert.equal(deleted.status, 204);
    assert.ok(!((await api.get(path(), token)).body as Note[]).some((n) => n.id === posted.id));
    assert.equal(
      ((await api.get(`/api/0/issues/${issueId}/`, token)).body as { numComments: number }).numComments,
      countBefore - 1,
    );
    const changes = await changesSince(knex, organizationId, start, 2);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.surface, c.actorUserId, c.data]),
      [
        ['comment_edited', 'api', userId, { commentId: posted.id, text: 'Typo in the fix' }],
        ['comment_deleted', 'api', userId, { commentId: posted.id }],
      ],
    );
    assert.equal((await api.request('delete', `${path()}${posted.id}/`, undefined, token)).status, 404);
  });

  it("refuses to change someone else's comment (403), a missing one (404) and empty text (400)", async () => {
    const posted = (await api.request('post', path(), { text: 'Mine' }, token)).body as Note;
    const accounts = new AccountsRepository(knex);
    const colleague = await accounts.ensureUser('erin@acme.io', false);
    await accounts.ensureMember(organizationId, colleague.id, 'admin');
    const team = await knex('teams').where('organization_id', organizationId).first('id');
    await accounts.ensureTeamMember(team.id, colleague.id);
    const colleagueToken = await accounts.createToken(colleague.id, 'erin', ADMIN_SCOPES);
    assert.equal((await api.get(path(), colleagueToken)).status, 200, 'the colleague sees the comment');
    const start = await lastChangeId(knex);
    for (const answer of [
      await api.put(`${path()}${posted.id}/`, { text: 'Theirs now' }, colleagueToken),
      await api.request('delete', `${path()}${posted.id}/`, undefined, colleagueToken),
    ]) {
      assert.equal(answer.status, 403);
      assert.match((answer.body as { detail: string }).detail, /author/);
    }
    const empty = await api.put(`${path()}${posted.id}/`, { text: ' ' }, token);
    assert.equal(empty.status, 400);
    assert.match((empty.body as { detail: string }).detail, /`text`/);
    for (const missing of ['999999', 'abc'])
      assert.equal((await api.put(`${path()}${missing}/`, { text: 'x' }, token)).status, 404, missing);
    const { project_id: projectId } = await knex('issues').where('id', issueId).first('project_id');
    await storeEvents(knex, projectId, [errorEvent({ type: 'RangeError', value: 'other issue' })]);
    const otherIssue = await knex('issues').whereNot('id', issueId).first('id');
    assert.equal(
      (await api.put(`/api/0/issues/${otherIssue.id}/comments/${posted.id}/`, { text: 'x' }, token)).status,
      404,
      'a comment is only found under its own issue',
    );
    assert.equal(
      ((await api.get(path(), token)).body as Note[]).find((n) => n.id === posted.id)?.data.text,
      'Mine',
    );
    assert.deepEqual(
      (await changesSince(knex, organizationId, start, 0)).filter((c) => c.kind.startsWith('comment')),
      [],
      'nothing refused is announced',
    );
  });
});
