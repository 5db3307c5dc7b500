import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { AccountsRepository } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import { SseClient } from '../testing/sse-client';
import {
  errorEvent,
  seedAccount,
  sessionFrom,
  startApiServer,
  storeEvents,
  type ApiServer,
  type SessionCredential,
} from './api-test-kit';

type Json = Record<string, unknown>;
const PASSWORD = 'correct horse battery';
const INTEGRATION_SCOPES = ['org:read', 'project:read', 'event:read', 'event:write', 'org:write'];

/**
 * Slack and GitHub identities linked to Faultline users: linking confirmed by the signed-in person
 * on the page an integration's link leads to, an integration acting exactly as the linked member,
 * and everything else refused.
 */
describeEachDatabase('linked accounts', (ctx) => {
  let api: ApiServer;
  let knex: Knex;
  let owner: string;
  let memberId: number;
  let member: SessionCredential;
  let slack: { id: string; token: string };
  let globexSlack: string;
  let appIssue: string;
  let secretIssue: string;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    owner = seeded.token;
    const accounts = new AccountsRepository(knex);
    const org = await accounts.ensureOrganization('acme', 'acme');
    const user = await accounts.ensureUser('m@acme.io', false);
    memberId = user.id;
    await accounts.ensureMember(org.id, user.id, 'member');
    await accounts.ensureTeamMember((await accounts.ensureTeam(org.id, 'acme-team')).id, user.id);
    const secret = await accounts.ensureProject(
      org.id,
      (await accounts.ensureTeam(org.id, 'vault')).id,
      'secret',
      'node',
    );
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'TypeError', value: 'app' })]);
    await storeEvents(knex, secret.id, [errorEvent({ type: 'TypeError', value: 'secret' })]);
    appIssue = String((await knex('issues').where('project_id', seeded.projectId).first('id')).id);
    secretIssue = String((await knex('issues').where('project_id', secret.id).first('id')).id);
    const globex = await seedAccount(knex, { organization: 'globex', project: 'web', email: 'g@globex.io' });
    api = await startApiServer(knex);
    await api.auth.passwords.setPassword(user.id, PASSWORD);
    const signedIn = await api.request('post', '/api/0/auth/login/', {
      email: 'm@acme.io',
      password: PASSWORD,
    });
    member = sessionFrom(signedIn);
    const made = await api.request(
      'post',
      '/api/0/organizations/acme/org-auth-tokens/',
      { name: 'Slack', scopes: INTEGRATION_SCOPES, client: 'slack' },
      owner,
    );
    assert.equal(made.status, 201, JSON.stringify(made.body));
    slack = made.body as { id: string; token: string };
    globexSlack = (
      (
        await api.request(
          'post',
          '/api/0/organizations/globex/org-auth-tokens/',
          { scopes: INTEGRATION_SCOPES, client: 'slack' },
          globex.token,
        )
      ).body as { token: string }
    ).token;
  });
  after(async () => api?.close());

  /** What an integration does for `/faultline link`: ask for the link to send the external user. */
  async function linkUrl(externalUserId: string, token = slack.token, org = 'acme'): Promise<string> {
    const answer = await api.request(
      'post',
      `/api/0/organizations/${org}/external-identities/link-requests/`,
      { externalWorkspaceId: 'T1', externalUserId },
      token,
    );
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return (answer.body as { url: string }).url;
  }

  /** The token of a link: what the web UI's page reads from the URL it was opened at. */
  const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';

  /** The person opens the link signed in (the page asks what it links), then confirms. */
  async function confirm(url: string, session: SessionCredential): Promise<{ status: number; body: Json }> {
    const token = tokenOf(url);
    const shown = await api.get(
      `/api/0/users/me/external-identities/link-requests/?token=${encodeURIComponent(token)}`,
      session,
    );
    if (shown.status !== 200) return { status: shown.status, body: shown.body as Json };
    const posted = await api.request('post', '/api/0/users/me/external-identities/', { token }, session);
    return { status: posted.status, body: posted.body as Json };
  }

  const actingAs = (externalUserId: string, token = slack.token) => ({
    Authorization: `Bearer ${token}`,
    'X-Faultline-Act-As': `T1:${externalUserId}`,
  });

  async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Json };
  }

  it('links an identity once the signed-in person confirms it; the link is single-use', async () => {
    const url = await linkUrl('U1');
    assert.equal(new URL(url).pathname, '/account-links/confirm', 'the web UI page the link leads to');
    const token = encodeURIComponent(tokenOf(url));
    // Nobody signed in: nothing to see (the web UI sends them to sign in and back), nor to confirm.
    assert.equal(
      (await api.get(`/api/0/users/me/external-identities/link-requests/?token=${token}`)).status,
      401,
    );
    // A token may not confirm: only the person, in their own browser session.
    const byToken = await api.request(
      'post',
      '/api/0/users/me/external-identities/',
      { token: tokenOf(url) },
      owner,
    );
    assert.equal(byToken.status, 403, JSON.stringify(byToken.body));
    // Nor a session write without its CSRF token (another site's form).
    const forged = await api.request(
      'post',
      '/api/0/users/me/external-identities/',
      { token: tokenOf(url) },
      {
        session: member.session,
      },
    );
    assert.equal(forged.status, 403);
    assert.equal((forged.body as Json).code, 'csrf_failed');

    const shown = await api.get(`/api/0/users/me/external-identities/link-requests/?token=${token}`, member);
    assert.equal(shown.status, 200, JSON.stringify(shown.body));
    assert.deepEqual(
      { ...(shown.body as Json), expiresAt: undefined },
      {
        provider: 'slack',
        organization: 'acme',
        externalWorkspaceId: 'T1',
        externalUserId: 'U1',
        expiresAt: undefined,
      },
    );
    const confirmed = await confirm(url, member);
    assert.equal(confirmed.status, 201, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.externalUserId, 'U1');
    const listed = await api.get('/api/0/users/me/external-identities/', member);
    assert.deepEqual(
      (listed.body as Json[]).map((l) => [
        l.provider,
        l.organization,
        l.externalWorkspaceId,
        l.externalUserId,
      ]),
      [['slack', 'acme', 'T1', 'U1']],
    );
    const again = await confirm(url, member);
    assert.equal(again.status, 410);
    assert.match(String(again.body.detail), /already used/);
    const audit = (await api.get('/api/0/organizations/acme/audit-logs/?event=identity.link', owner))
      .body as {
      rows: Json[];
    };
    assert.equal(audit.rows[0].surface, 'web');
    assert.equal((audit.rows[0].actor as Json).email, 'm@acme.io');
  });

  it('acts exactly as the linked member, recorded as them through slack in the change stream and the audit log', async () => {
    const stream = await SseClient.connect(`${api.url}/api/0/organizations/acme/changes/`, {
      Authorization: `Bearer ${owner}`,
    });
    try {
      await stream.until((c) => c.comments.includes('connected'), 5000, 'connected');
      const resolved = await call('PUT', `/api/0/issues/${appIssue}/`, actingAs('U1'), {
        status: 'resolved',
      });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      await stream.until(
        (c) => c.messages.some((m) => m.event === 'issue.state_changed'),
        5000,
        'the change',
      );
      const change = JSON.parse(stream.messages.find((m) => m.event === 'issue.state_changed')!.data) as Json;
      assert.equal(change.surface, 'slack');
      assert.equal(change.actorUserId, String(memberId));
    } finally {
      stream.close();
    }
    const audit = (await api.get('/api/0/organizations/acme/audit-logs/?event=issue.update', owner)).body as {
      rows: Json[];
    };
    assert.equal((audit.rows[0].actor as Json).email, 'm@acme.io');
    assert.equal(audit.rows[0].surface, 'slack');
    assert.equal(audit.rows[0].actorTokenId, slack.id);

    // The member's teams: another team's project is as missing for them as for anyone outside.
    assert.equal((await call('GET', `/api/0/issues/${secretIssue}/`, actingAs('U1'))).status, 404);
    assert.equal(
      (await call('GET', `/api/0/issues/${secretIssue}/`, { Authorization: `Bearer ${slack.token}` })).status,
      200,
    );
    // The member's role: a member may not change the organization, though the token could.
    const edit = await call('PUT', '/api/0/organizations/acme/', actingAs('U1'), { name: 'Acme!' });
    assert.equal(edit.status, 403, JSON.stringify(edit.body));
    // And never the person's own account or credentials.
    const mint = await call('POST', '/api/0/api-tokens/', actingAs('U1'), { scopes: ['org:read'] });
    assert.equal(mint.status, 403);
    assert.equal(mint.body.code, 'acting_for_user');
  });

  it('refuses unlinked and foreign-organization users, other credentials, and a revoked integration token', async () => {
    const unlinked = await call('GET', '/api/0/organizations/acme/', actingAs('U2'));
    assert.equal(unlinked.status, 403);
    assert.equal(unlinked.body.code, 'account_not_linked');
    assert.match(String(unlinked.body.detail), /connect their account/);
    // Globex's integration can't act for acme's links, nor reach acme at all.
    const foreign = await call('GET', '/api/0/organizations/globex/', actingAs('U1', globexSlack));
    assert.equal(foreign.body.code, 'account_not_linked');
    assert.equal(
      (await call('GET', '/api/0/organizations/acme/', { Authorization: `Bearer ${globexSlack}` })).status,
      404,
    );
    // Acting as the member through acme's integration reaches only acme.
    assert.equal((await call('GET', '/api/0/organizations/globex/', actingAs('U1'))).status, 404);
    // Only an integration's organization token may act for someone.
    const byOwner = await call('GET', '/api/0/organizations/acme/', actingAs('U1', owner));
    assert.equal(byOwner.status, 403);
    assert.equal(byOwner.body.code, 'integration_required');
    const ci = await api.request(
      'post',
      '/api/0/organizations/acme/org-auth-tokens/',
      { scopes: ['org:read'] },
      owner,
    );
    const byCi = await call(
      'GET',
      '/api/0/organizations/acme/',
      actingAs('U1', (ci.body as Json).token as string),
    );
    assert.equal(byCi.body.code, 'integration_required');
    assert.equal(
      (await call('GET', '/api/0/organizations/acme/', { ...actingAs('U1'), 'X-Faultline-Act-As': 'U1' }))
        .status,
      400,
    );

    const spare = await api.request(
      'post',
      '/api/0/organizations/acme/org-auth-tokens/',
      { scopes: INTEGRATION_SCOPES, client: 'slack' },
      owner,
    );
    const spareToken = (spare.body as Json).token as string;
    assert.equal((await call('GET', '/api/0/organizations/acme/', actingAs('U1', spareToken))).status, 200);
    const revoked = await api.request(
      'delete',
      `/api/0/organizations/acme/org-auth-tokens/${(spare.body as Json).id}/`,
      undefined,
      owner,
    );
    assert.equal(revoked.status, 204);
    assert.equal((await call('GET', '/api/0/organizations/acme/', actingAs('U1', spareToken))).status, 401);
  });

  it('unlinks from either side; expired and altered links link nothing', async () => {
    const fromSlack = await call(
      'DELETE',
      '/api/0/organizations/acme/external-identities/',
      { Authorization: `Bearer ${slack.token}` },
      {
        externalWorkspaceId: 'T1',
        externalUserId: 'U1',
      },
    );
    assert.equal(fromSlack.status, 204, JSON.stringify(fromSlack.body));
    assert.equal(
      (await call('GET', '/api/0/organizations/acme/', actingAs('U1'))).body.code,
      'account_not_linked',
    );

    assert.equal((await confirm(await linkUrl('U1'), member)).status, 201);
    const [link] = (await api.get('/api/0/users/me/external-identities/', member)).body as Json[];
    const fromFaultline = await api.request(
      'delete',
      `/api/0/users/me/external-identities/${link.id}/`,
      undefined,
      {
        ...member,
      },
    );
    assert.equal(fromFaultline.status, 204, JSON.stringify(fromFaultline.body));
    assert.deepEqual((await api.get('/api/0/users/me/external-identities/', member)).body, []);
    const audit = (await api.get('/api/0/organizations/acme/audit-logs/?event=identity.unlink', owner))
      .body as {
      rows: Json[];
    };
    assert.deepEqual(
      audit.rows.map((r) => r.surface),
      ['web', 'slack'],
    );

    const late = await linkUrl('U3');
    await knex('account_link_requests')
      .update({ expires_at: new Date(Date.now() - 1000) })
      .whereNull('used_at');
    const expired = await confirm(late, member);
    assert.equal(expired.status, 410);
    assert.match(String(expired.body.detail), /expired/);
    const fresh = new URL(await linkUrl('U3'));
    const token = fresh.searchParams.get('token')!;
    fresh.searchParams.set('token', token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'));
    const altered = await confirm(fresh.toString(), member);
    assert.equal(altered.status, 400);
    assert.equal(altered.body.code, 'invalid_link');
    assert.deepEqual((await api.get('/api/0/users/me/external-identities/', member)).body, []);
  });
});
