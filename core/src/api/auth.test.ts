import assert from 'node:assert/strict';
import { AccountsRepository, ADMIN_SCOPES } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import { TokenAuthenticator } from './auth';
import {
  errorEvent,
  seedAccount,
  startApiServer,
  storeEvents,
  tokenWithScopes,
  type ApiServer,
} from './api-test-kit';

interface Detail {
  detail: string;
  code: string;
}

describeEachDatabase('REST API authentication, scopes and organization boundaries', (ctx) => {
  let api: ApiServer;
  let token: string;
  let foreignToken: string;
  let foreignIssueId: string;
  let foreignEventId: string;
  let ownIssueId: string;

  before(async () => {
    const knex = ctx.db.knex;
    const own = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    token = own.token;
    await storeEvents(knex, own.projectId, [errorEvent({ type: 'TypeError', value: 'own failure' })]);

    // A second organization with its own project, member and token, made with the repository directly.
    const accounts = new AccountsRepository(knex);
    const other = await accounts.ensureOrganization('globex', 'Globex');
    const team = await accounts.ensureTeam(other.id, 'globex-team');
    const project = await accounts.ensureProject(other.id, team.id, 'secret-app', 'python');
    const eve = await accounts.ensureUser('eve@globex.io', false);
    await accounts.ensureMember(other.id, eve.id, 'owner');
    foreignToken = await accounts.createToken(eve.id, 'eve', ADMIN_SCOPES);
    const foreignEvent = errorEvent({ type: 'ValueError', value: 'foreign failure' });
    foreignEventId = String(foreignEvent.event_id);
    await storeEvents(knex, project.id, [foreignEvent]);

    api = await startApiServer(knex);
    const [ownIssue] = (await api.get('/api/0/projects/acme/app/issues/?query=', token)).body as {
      id: string;
    }[];
    ownIssueId = ownIssue.id;
    const [foreignIssue] = (await api.get('/api/0/projects/globex/secret-app/issues/?query=', foreignToken))
      .body as {
      id: string;
    }[];
    foreignIssueId = foreignIssue.id;
  });

  after(async () => api?.close());

  it('answers 401 with a clear message when no token is sent', async () => {
    const answer = await api.get('/api/0/organizations/');
    assert.equal(answer.status, 401);
    assert.match((answer.body as Detail).detail, /Authorization: Bearer/);
    assert.equal((answer.body as Detail).code, 'missing_credentials');
  });

  it('answers 401 for an unknown token and for a malformed header', async () => {
    const unknown = await api.get('/api/0/organizations/', 'flt_not-a-real-token');
    assert.equal(unknown.status, 401);
    assert.match((unknown.body as Detail).detail, /Invalid token/);
    const malformed = await fetch(`${api.url}/api/0/organizations/`, {
      headers: { Authorization: 'Basic abc' },
    });
    assert.equal(malformed.status, 401);
    assert.match(((await malformed.json()) as Detail).detail, /Bearer <api token>/);
  });

  it('accepts the older "Token <token>" form and paths without the trailing slash', async () => {
    const answer = await fetch(`${api.url}/api/0/organizations`, {
      headers: { Authorization: `Token ${token}` },
    });
    assert.equal(answer.status, 200);
  });

  it("records the token's last use", async () => {
    const rows: { last_used_at: Date | null }[] = await ctx.db.knex('api_tokens').select('last_used_at');
    assert.ok(rows.some((row) => row.last_used_at !== null));
  });

  it('records last use at most once a minute per token', async () => {
    const knex = ctx.db.knex;
    let now = 1_000_000;
    const authenticator = new TokenAuthenticator(knex, () => now);
    const lastUsed = async () =>
      (await knex('api_tokens').where({ id: caller.tokenId }).first('last_used_at')).last_used_at;
    const caller = await authenticator.authenticate(`Bearer ${token}`);
    await knex('api_tokens').where({ id: caller.tokenId }).update({ last_used_at: null });
    now += 30_000;
    await authenticator.authenticate(`Bearer ${token}`);
    assert.equal(await lastUsed(), null);
    now += 31_000;
    await authenticator.authenticate(`Bearer ${token}`);
    assert.notEqual(await lastUsed(), null);
  });

  it('answers 403 naming the scope a token lacks, checked per route', async () => {
    const readOnly = await tokenWithScopes(ctx.db.knex, 'owner@acme.io', [
      'org:read',
      'project:read',
      'event:read',
    ]);
    const read = await api.get(`/api/0/issues/${ownIssueId}/`, readOnly);
    assert.equal(read.status, 200);
    const write = await api.put(`/api/0/issues/${ownIssueId}/`, { status: 'resolved' }, readOnly);
    assert.equal(write.status, 403);
    assert.match((write.body as Detail).detail, /event:write/);
    assert.equal((write.body as Detail).code, 'missing_scope');

    const orgOnly = await tokenWithScopes(ctx.db.knex, 'owner@acme.io', ['org:read']);
    const issues = await api.get('/api/0/projects/acme/app/issues/', orgOnly);
    assert.equal(issues.status, 403);
    assert.match((issues.body as Detail).detail, /event:read/);
    assert.equal((await api.get('/api/0/organizations/', orgOnly)).status, 200);
  });

  it('lets a write scope read, as Sentry does', async () => {
    const writer = await tokenWithScopes(ctx.db.knex, 'owner@acme.io', ['event:write']);
    assert.equal((await api.get(`/api/0/issues/${ownIssueId}/`, writer)).status, 200);
  });

  it('lists only the organizations the user is a member of', async () => {
    const own = (await api.get('/api/0/organizations/', token)).body as { slug: string }[];
    assert.deepEqual(
      own.map((o) => o.slug),
      ['acme'],
    );
    const foreign = (await api.get('/api/0/organizations/', foreignToken)).body as { slug: string }[];
    assert.deepEqual(
      foreign.map((o) => o.slug),
      ['globex'],
    );
  });

  it("answers another organization's resources exactly like missing ones (404)", async () => {
    const pairs: [string, string][] = [
      ['/api/0/organizations/globex/', '/api/0/organizations/no-such-org/'],
      ['/api/0/organizations/globex/projects/', '/api/0/organizations/no-such-org/projects/'],
      ['/api/0/projects/globex/secret-app/', '/api/0/projects/globex/no-such-project/'],
      ['/api/0/projects/globex/secret-app/keys/', '/api/0/projects/no-such-org/secret-app/keys/'],
      ['/api/0/projects/globex/secret-app/issues/', '/api/0/projects/no-such-org/x/issues/'],
      [`/api/0/issues/${foreignIssueId}/`, '/api/0/issues/999999/'],
      ['/api/0/issues/SECRET-APP-1/', '/api/0/issues/NOPE-1/'],
      [`/api/0/issues/${foreignIssueId}/events/`, '/api/0/issues/999999/events/'],
      [`/api/0/issues/${foreignIssueId}/events/latest/`, '/api/0/issues/999999/events/latest/'],
      [`/api/0/issues/${foreignIssueId}/tags/`, '/api/0/issues/999999/tags/'],
      [
        `/api/0/projects/globex/secret-app/events/${foreignEventId}/`,
        `/api/0/projects/nope/secret-app/events/${foreignEventId}/`,
      ],
      [
        `/api/0/projects/acme/app/events/${foreignEventId}/`,
        '/api/0/projects/acme/app/events/0123456789abcdef0123456789abcdef/',
      ],
    ];
    for (const [foreign, missing] of pairs) {
      const foreignAnswer = await api.get(foreign, token);
      const missingAnswer = await api.get(missing, token);
      assert.equal(foreignAnswer.status, 404, foreign);
      assert.equal(missingAnswer.status, 404, missing);
      assert.equal((foreignAnswer.body as Detail).code, (missingAnswer.body as Detail).code, foreign);
    }
    const put = await api.put(`/api/0/issues/${foreignIssueId}/`, { status: 'resolved' }, token);
    assert.equal(put.status, 404);
    const [foreignIssue] = (await api.get('/api/0/projects/globex/secret-app/issues/?query=', foreignToken))
      .body as {
      status: string;
    }[];
    assert.equal(foreignIssue.status, 'unresolved');
  });

  it('does not let a bulk update reach issues of another organization', async () => {
    const answer = await api.put(
      `/api/0/projects/acme/app/issues/?id=${foreignIssueId}`,
      { status: 'resolved' },
      token,
    );
    assert.equal(answer.status, 204);
    const issue = (await api.get(`/api/0/issues/${foreignIssueId}/`, foreignToken)).body as {
      status: string;
    };
    assert.equal(issue.status, 'unresolved');
  });
});
