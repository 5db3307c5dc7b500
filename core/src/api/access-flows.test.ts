import assert from 'node:assert/strict';
import { AccountsRepository, ADMIN_SCOPES } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import {
  errorEvent,
  seedAccount,
  startApiServer,
  storeEvents,
  tokenWithScopes,
  type ApiServer,
} from './api-test-kit';

type Json = Record<string, unknown>;

describeEachDatabase('access control flows through the REST API', (ctx) => {
  let api: ApiServer;
  let owner: string;
  let projectId: number;
  let issueId: string;

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    owner = seeded.token;
    projectId = seeded.projectId;
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'checkout broke' })]);
    api = await startApiServer(knex);
    issueId = ((await api.get('/api/0/projects/acme/app/issues/?query=', owner)).body as Json[])[0]
      .id as string;
  });
  after(async () => api?.close());

  it('invite → accept → role change → removal, each in the audit log', async () => {
    const invited = await api.request(
      'post',
      '/api/0/organizations/acme/members/',
      { email: 'bob@acme.io', orgRole: 'admin' },
      owner,
    );
    assert.equal(invited.status, 201);
    const { acceptPath, id: inviteId } = invited.body as { acceptPath: string; id: string };
    const listed = (await api.get('/api/0/organizations/acme/invited-members/', owner)).body as Json[];
    assert.deepEqual(
      listed.map((i) => i.id),
      [inviteId],
    );
    assert.ok(
      !JSON.stringify(listed).includes(acceptPath.split('/')[5]),
      'the list never shows the invite token',
    );

    const bob = await tokenWithScopes(ctx.db.knex, 'bob@acme.io', ADMIN_SCOPES);
    assert.equal((await api.get('/api/0/organizations/acme/', bob)).status, 404);
    assert.equal((await api.request('post', acceptPath.replace(/\/$/, 'x/'), undefined, bob)).status, 404);
    const accepted = await api.request('post', acceptPath, undefined, bob);
    assert.equal(accepted.status, 200);
    const member = accepted.body as { id: string; orgRole: string };
    assert.equal(member.orgRole, 'admin');
    assert.equal(
      (await api.request('post', acceptPath, undefined, bob)).status,
      404,
      'an invitation works once',
    );

    // An admin can't raise anyone to manager; the owner can, and can't demote the last owner.
    const path = `/api/0/organizations/acme/members/${member.id}/`;
    assert.equal((await api.put(path, { orgRole: 'manager' }, bob)).status, 403);
    const promoted = await api.put(path, { orgRole: 'manager' }, owner);
    assert.equal((promoted.body as Json).orgRole, 'manager');
    const me = (await api.get('/api/0/organizations/acme/members/me/', owner)).body as { id: string };
    const demote = await api.put(`/api/0/organizations/acme/members/${me.id}/`, { orgRole: 'member' }, owner);
    assert.equal(demote.status, 403);
    assert.match((demote.body as Json).detail as string, /last owner/);
    assert.equal(
      (await api.request('delete', `/api/0/organizations/acme/members/${me.id}/`, undefined, bob)).status,
      403,
    );

    assert.equal((await api.request('delete', path, undefined, owner)).status, 204);
    assert.equal((await api.get('/api/0/organizations/acme/', bob)).status, 404);

    const log = (await api.get('/api/0/organizations/acme/audit-logs/', owner)).body as { rows: Json[] };
    const events = log.rows.map((r) => r.event);
    for (const event of ['member.invite', 'member.accept', 'member.edit', 'member.remove'])
      assert.ok(events.includes(event), `${event} in ${events.join(', ')}`);
    const edit = log.rows.find((r) => r.event === 'member.edit') as { data: Json; actor: Json };
    assert.deepEqual([edit.data.oldRole, edit.data.newRole], ['admin', 'manager']);
    assert.equal(edit.actor.email, 'owner@acme.io');
  });

  it('a token with only event:read reads issues but cannot change them', async () => {
    const reader = await tokenWithScopes(ctx.db.knex, 'owner@acme.io', ['event:read']);
    assert.equal((await api.get(`/api/0/issues/${issueId}/`, reader)).status, 200);
    const put = await api.put(`/api/0/issues/${issueId}/`, { status: 'resolved' }, reader);
    assert.equal(put.status, 403);
    assert.match((put.body as Json).detail as string, /event:write/);
    // Nor can it mint itself a stronger token.
    assert.equal(
      (await api.request('post', '/api/0/api-tokens/', { scopes: ['event:write'] }, reader)).status,
      403,
    );
  });

  it('records issue changes with the surface they came through', async () => {
    assert.equal((await api.put(`/api/0/issues/${issueId}/`, { status: 'resolved' }, owner)).status, 200);
    const log = (await api.get('/api/0/organizations/acme/audit-logs/?event=issue.update', owner)).body as {
      rows: { data: Json; targetObject: string }[];
    };
    assert.equal(log.rows[0].targetObject, issueId);
    assert.equal(log.rows[0].data.surface, 'api');
    assert.equal(log.rows[0].data.status, 'resolved');
  });

  it('user tokens are shown once, listed without the token, and revocable', async () => {
    const created = await api.request(
      'post',
      '/api/0/api-tokens/',
      { name: 'ci', scopes: ['event:read'] },
      owner,
    );
    assert.equal(created.status, 201);
    const { token, id, tokenLastCharacters } = created.body as {
      token: string;
      id: string;
      tokenLastCharacters: string;
    };
    assert.equal(token.slice(-4), tokenLastCharacters);
    const list = await api.get('/api/0/api-tokens/', owner);
    assert.ok(!JSON.stringify(list.body).includes(token));
    assert.ok((list.body as Json[]).some((t) => t.id === id));
    assert.equal((await api.get('/api/0/organizations/', token)).status, 403);
    assert.equal((await api.get(`/api/0/issues/${issueId}/`, token)).status, 200);
    assert.equal((await api.request('delete', `/api/0/api-tokens/${id}/`, undefined, owner)).status, 204);
    assert.equal((await api.get(`/api/0/issues/${issueId}/`, token)).status, 401);
    // Both ends of the token's life are in the audit log of the organization it could reach, without it.
    const log = await api.get('/api/0/organizations/acme/audit-logs/', owner);
    const rows = (log.body as { rows: { event: string; targetObject: string }[] }).rows;
    for (const event of ['apitoken.create', 'apitoken.revoke']) {
      assert.ok(
        rows.some((row) => row.event === event && row.targetObject === id),
        `${event} missing from ${JSON.stringify(rows.map((r) => r.event))}`,
      );
    }
    assert.ok(!JSON.stringify(log.body).includes(token));
  });

  it('an organization token reaches its organization only', async () => {
    const other = await seedAccount(ctx.db.knex, {
      organization: 'globex',
      project: 'secret',
      email: 'eve@globex.io',
    });
    const created = await api.request(
      'post',
      '/api/0/organizations/acme/org-auth-tokens/',
      { name: 'slack', scopes: ['org:read', 'project:read', 'event:read', 'event:write'] },
      owner,
    );
    assert.equal(created.status, 201);
    const service = (created.body as { token: string }).token;
    assert.equal((await api.get('/api/0/projects/acme/app/issues/', service)).status, 200);
    assert.equal((await api.get('/api/0/projects/globex/secret/', service)).status, 404);
    assert.deepEqual(
      ((await api.get('/api/0/organizations/', service)).body as Json[]).map((o) => o.slug),
      ['acme'],
    );
    assert.equal((await api.get('/api/0/api-tokens/', service)).status, 403);
    // Nobody mints tokens for an organization they are not in.
    const tooMuch = await api.request(
      'post',
      '/api/0/organizations/globex/org-auth-tokens/',
      { scopes: ['org:admin'] },
      owner,
    );
    assert.equal(tooMuch.status, 404);
    assert.equal(other.organization, 'globex');
  });

  it('disables and rotates keys; ingestion sees a disabled key as inactive', async () => {
    const accounts = new AccountsRepository(ctx.db.knex);
    const created = (
      await api.request(
        'post',
        '/api/0/projects/acme/app/keys/',
        { name: 'web', rateLimit: { count: 10, window: 60 } },
        owner,
      )
    ).body as { id: string; rateLimit: Json };
    assert.deepEqual(created.rateLimit, { count: 10, window: 60 });
    const keyPath = `/api/0/projects/acme/app/keys/${created.id}/`;
    assert.equal(((await api.put(keyPath, { isActive: false }, owner)).body as Json).isActive, false);
    assert.equal((await accounts.findKeyByPublicKey(created.id))?.is_active, false);
    await api.put(keyPath, { isActive: true }, owner);
    const rotated = (await api.request('post', `${keyPath}rotate/`, undefined, owner)).body as {
      id: string;
      name: string;
      rateLimit: Json;
    };
    assert.notEqual(rotated.id, created.id);
    assert.equal(rotated.name, 'web');
    assert.deepEqual(rotated.rateLimit, { count: 10, window: 60 });
    assert.equal((await accounts.findKeyByPublicKey(created.id))?.is_active, false);
    assert.equal((await accounts.findKeyByPublicKey(rotated.id))?.is_active, true);
    assert.equal((await api.request('delete', keyPath, undefined, owner)).status, 204);
    assert.equal(await accounts.findKeyByPublicKey(created.id), undefined);
  });

  it('a member without access to a project gets 404 for its issues and finds none of them', async () => {
    const knex = ctx.db.knex;
    const accounts = new AccountsRepository(knex);
    const org = await accounts.ensureOrganization('acme', 'acme');
    const outsider = await accounts.ensureUser('carol@acme.io', false);
    await accounts.ensureMember(org.id, outsider.id, 'member');
    const token = await accounts.createToken(outsider.id, 'carol', ADMIN_SCOPES);
    const issue = (await api.get(`/api/0/issues/${issueId}/`, owner)).body as { shortId: string };
    const missing = await api.get('/api/0/issues/999999/', token);
    const hidden = await api.get(`/api/0/issues/${issueId}/`, token);
    assert.equal(hidden.status, 404);
    assert.equal(missing.status, 404);
    assert.equal((hidden.body as Json).code, (missing.body as Json).code);
    assert.equal((await api.get(`/api/0/organizations/acme/shortids/${issue.shortId}/`, token)).status, 404);
    assert.equal((await api.get('/api/0/projects/acme/app/issues/', token)).status, 404);
    const search = await api.get(`/api/0/organizations/acme/issues/?query=&project=${projectId}`, token);
    assert.deepEqual(search.body, []);
    assert.deepEqual((await api.get('/api/0/organizations/acme/issues/?query=checkout', token)).body, []);
    assert.deepEqual((await api.get('/api/0/organizations/acme/projects/', token)).body, []);

    // Joining the project's team opens it.
    const members = (await api.get('/api/0/organizations/acme/members/', owner)).body as {
      id: string;
      email: string;
    }[];
    const carol = members.find((m) => m.email === 'carol@acme.io')!;
    assert.equal(
      (await api.request('post', `/api/0/organizations/acme/members/${carol.id}/teams/acme-team/`, {}, owner))
        .status,
      201,
    );
    assert.equal((await api.get(`/api/0/issues/${issueId}/`, token)).status, 200);
    assert.equal(
      ((await api.get('/api/0/organizations/acme/issues/?query=', token)).body as Json[]).length,
      1,
    );
  });
});
