import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { AccountsRepository, ADMIN_SCOPES } from '../accounts';
import { currentChangeCursor, pruneChanges, readChangesAfter } from '../changes';
import { describeEachDatabase } from '../testing/databases';
import { SseClient } from '../testing/sse-client';
import { cookieNames } from '../auth';
import {
  errorEvent,
  seedAccount,
  sessionFrom,
  startApiServer,
  storeEvents,
  type ApiServer,
} from './api-test-kit';
import { ChangeStreams } from './change-streams';

interface ChangeData {
  id: number;
  kind: string;
  projectId: number;
  issueId: string;
  surface: string;
  actorUserId: string | null;
  data: Record<string, unknown>;
}

const payload = (client: SseClient): ChangeData[] =>
  client.messages.map((m) => JSON.parse(m.data) as ChangeData);

describeEachDatabase('change stream (SSE)', (ctx) => {
  let knex: Knex;
  let api: ApiServer;
  let ownerToken: string;
  let ownerId: number;
  let memberToken: string;
  let organizationId: number;
  let appId: number;
  let webId: number;
  let issueId: number;
  const open: SseClient[] = [];

  async function connect(
    token: string,
    query = '',
    headers: Record<string, string> = {},
  ): Promise<SseClient> {
    const client = await SseClient.connect(`${api.url}/api/0/organizations/acme/changes/${query}`, {
      Authorization: `Bearer ${token}`,
      ...headers,
    });
    open.push(client);
    if (client.status === 200) await client.until((c) => c.comments.includes('connected'), 5000, 'connected');
    return client;
  }

  const put = async (body: Record<string, unknown>) => {
    const answer = await api.put(`/api/0/issues/${issueId}/`, body, ownerToken);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  };

  before(async () => {
    knex = ctx.db.knex;
    const accounts = new AccountsRepository(knex);
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    ownerToken = seeded.token;
    ownerId = seeded.userId;
    appId = seeded.projectId;
    organizationId = (await knex('projects').where('id', appId).first('organization_id')).organization_id;
    const webTeam = await accounts.ensureTeam(organizationId, 'web-team');
    webId = (await accounts.ensureProject(organizationId, webTeam.id, 'web', 'javascript')).id;
    const member = await accounts.ensureUser('m@acme.io', false);
    await accounts.ensureMember(organizationId, member.id, 'member');
    await accounts.ensureTeamMember(webTeam.id, member.id);
    memberToken = await accounts.createToken(member.id, 'm', ADMIN_SCOPES);
    await storeEvents(knex, appId, [errorEvent({ type: 'TypeError', value: 'x' })]);
    issueId = (await knex('issues').where('project_id', appId).first('id')).id;
    api = await startApiServer(knex);
  });

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  after(async () => api?.close());

  it('answers with an unbuffered text/event-stream', async () => {
    const client = await connect(ownerToken);
    assert.equal(client.status, 200);
    assert.match(String(client.headers['content-type']), /^text\/event-stream/);
    assert.match(String(client.headers['cache-control']), /no-cache/);
    assert.equal(client.headers['content-length'], undefined);
  });

  it('delivers every change exactly once, in order, across a disconnect resumed with Last-Event-ID', async () => {
    const start = await currentChangeCursor(knex);
    const first = await connect(ownerToken);
    await put({ status: 'resolved' });
    await put({ status: 'unresolved' });
    await first.until((c) => c.messages.length >= 2, 5000, 'two changes');
    first.close();
    const seenBeforeDisconnect = [...first.messages];

    // Changes while the client is away.
    await put({ assignedTo: `user:${ownerId}` });
    await put({ status: 'ignored' });
    await storeEvents(knex, appId, [errorEvent({ type: 'TypeError', value: 'x' })]);

    const second = await connect(ownerToken, '', { 'Last-Event-ID': seenBeforeDisconnect.at(-1)!.id! });
    await put({ assignedTo: '' });
    await second.until((c) => c.messages.length >= 4, 5000, 'the rest');
    // Nothing more comes: the stream polls every 250 ms, give it a few rounds.
    await new Promise((resolve) => setTimeout(resolve, 800));

    const received = [...seenBeforeDisconnect, ...second.messages];
    assert.deepEqual(
      received.map((m) => m.event),
      [
        'issue.state_changed',
        'issue.state_changed',
        'issue.assigned',
        'issue.state_changed',
        'issue.events_counted',
        'issue.assigned',
      ],
    );
    const outbox = await readChangesAfter(knex, { organizationId, after: start, limit: 100 });
    assert.deepEqual(
      received.map((m) => m.id),
      outbox.map((c) => c.cursor),
    );
    const changes = received.map((m) => JSON.parse(m.data) as ChangeData);
    assert.deepEqual(changes[0].data, {
      from: { status: 'unresolved', substatus: 'new' },
      to: { status: 'resolved', substatus: null },
    });
    assert.equal(changes[0].surface, 'api');
    assert.equal(changes[0].actorUserId, String(ownerId));
    assert.deepEqual(changes[2].data, { from: null, to: `user:${ownerId}` });
    assert.equal(changes[4].surface, 'pipeline');
  });

  it('sends a member only the changes of projects they can see', async () => {
    const member = await connect(memberToken);
    const asksForApp = await connect(memberToken, `?project=${appId}`);
    const owner = await connect(ownerToken, `?project=${webId}`);
    await put({ status: 'resolved' });
    await storeEvents(knex, webId, [errorEvent({ type: 'RangeError', value: 'web' })]);
    await member.until((c) => c.messages.some((m) => m.event === 'issue.events_counted'), 5000, 'web change');
    await owner.until((c) => c.messages.some((m) => m.event === 'issue.events_counted'), 5000, 'web change');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(
      payload(member).map((c) => [c.kind, c.projectId]),
      [
        ['created', webId],
        ['events_counted', webId],
      ],
    );
    assert.deepEqual(payload(owner), payload(member));
    assert.deepEqual(asksForApp.messages, []);
  });

  it('refuses a cursor it did not hand out', async () => {
    const client = await connect(ownerToken, '?cursor=yesterday');
    assert.equal(client.status, 400);
  });

  it('sends heartbeats while idle and stops polling for a closed client', async () => {
    const streams = new ChangeStreams(knex, { pollMs: 20, heartbeatMs: 60 });
    const out = streams.subscribe({
      organizationId,
      projectIds: undefined,
      after: await currentChangeCursor(knex),
    });
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.match(text, /: ping\n\n/);
    assert.equal(streams.size, 1);
    out.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(streams.size, 0);
    streams.closeAll();
  });
});

describeEachDatabase('change stream access while open', (ctx) => {
  it('stops sending a project the caller lost, and ends when the caller lost the organization', async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    const organizationId: number = (
      await knex('projects').where('id', seeded.projectId).first('organization_id')
    ).organization_id;
    let scope: number[] | 'revoked' = [seeded.projectId];
    const streams = new ChangeStreams(knex, { pollMs: 20, heartbeatMs: 60_000, rescopeMs: 50 });
    const out = streams.subscribe({
      organizationId,
      projectIds: [seeded.projectId],
      after: await currentChangeCursor(knex),
      rescope: async () => scope,
    });
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const ended = new Promise<void>((resolve) => out.on('end', resolve));
    out.resume();
    const deadline = (ms: number) => Date.now() + ms;

    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'SeenError', value: 'a' })]);
    for (const until = deadline(5000); !text.includes('issue.created');) {
      assert.ok(Date.now() < until, 'the first change arrives');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    scope = []; // taken off the project's team
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = text;
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'HiddenError', value: 'b' })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(text, before, 'nothing of a project the caller no longer sees');
    assert.ok(!text.includes('HiddenError'));

    scope = 'revoked'; // removed from the organization
    await Promise.race([
      ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error('the stream did not end')), 3000)),
    ]);
    assert.equal(streams.size, 0);
    streams.closeAll();
  });
});

describeEachDatabase('change stream credentials while open', (ctx) => {
  it('ends an open stream once its API token is revoked, or its session signed out', async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    const api = await startApiServer(knex, { rescopeMs: 50 });
    const accounts = new AccountsRepository(knex);
    try {
      const streamToken = await accounts.createToken(seeded.userId, 'laptop', ADMIN_SCOPES);
      const client = await SseClient.connect(`${api.url}/api/0/organizations/acme/changes/`, {
        Authorization: `Bearer ${streamToken}`,
      });
      assert.equal(client.status, 200);
      await client.until((c) => c.comments.includes('connected'), 5000, 'connected');
      const tokens = (await api.get('/api/0/api-tokens/', seeded.token)).body as {
        id: string;
        name: string;
      }[];
      const laptop = tokens.find((t) => t.name === 'laptop');
      assert.ok(laptop, JSON.stringify(tokens));
      const stillOpen = await Promise.race([
        client.ended.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 300)),
      ]);
      assert.ok(stillOpen, 'the stream stays open while the token is valid');
      assert.equal(
        (await api.request('delete', `/api/0/api-tokens/${laptop.id}/`, undefined, seeded.token)).status,
        204,
      );
      await Promise.race([
        client.ended,
        new Promise((_, reject) => setTimeout(() => reject(new Error('the stream did not end')), 3000)),
      ]);

      await api.auth.passwords.setPassword(seeded.userId, 'correct horse battery staple');
      const signedIn = await api.request('post', '/api/0/auth/login/', {
        email: 'o@acme.io',
        password: 'correct horse battery staple',
      });
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      const session = sessionFrom(signedIn);
      const browser = await SseClient.connect(`${api.url}/api/0/organizations/acme/changes/`, {
        Cookie: `${cookieNames('http://x').session}=${session.session}`,
      });
      assert.equal(browser.status, 200);
      await browser.until((c) => c.comments.includes('connected'), 5000, 'connected');
      assert.equal((await api.request('post', '/api/0/auth/logout/', undefined, session)).status, 204);
      await Promise.race([
        browser.ended,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('the session stream did not end')), 3000),
        ),
      ]);
    } finally {
      await api.close();
    }
  });
});

describeEachDatabase('change stream resumed past retention', (ctx) => {
  it('answers 410 naming the expired cursor when changes after it were pruned, and resumes after them', async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    const organizationId: number = (
      await knex('projects').where('id', seeded.projectId).first('organization_id')
    ).organization_id;
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'OldError', value: 'a' })]);
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'OldError', value: 'a' })]);
    const old = await readChangesAfter(knex, { organizationId, after: { txid: '0', id: '0' }, limit: 100 });
    assert.ok(old.length >= 2, JSON.stringify(old));
    await knex('issue_changes').update({ created_at: new Date(Date.now() - 100 * 86_400_000) });
    assert.equal(await pruneChanges(knex, new Date(Date.now() - 90 * 86_400_000)), old.length);
    const api = await startApiServer(knex);
    try {
      const expired = await api.get(
        `/api/0/organizations/acme/changes/?cursor=${encodeURIComponent(old[0].cursor)}`,
        seeded.token,
      );
      assert.equal(expired.status, 410);
      assert.equal((expired.body as { code?: string }).code, 'cursor_expired', JSON.stringify(expired.body));
      assert.match((expired.body as { detail: string }).detail, /past retention/);
      const fromNewest = await SseClient.connect(`${api.url}/api/0/organizations/acme/changes/`, {
        Authorization: `Bearer ${seeded.token}`,
        'Last-Event-ID': old.at(-1)!.cursor,
      });
      assert.equal(fromNewest.status, 200, 'nothing after the newest pruned change was lost');
      fromNewest.close();
    } finally {
      await api.close();
    }
  });
});
