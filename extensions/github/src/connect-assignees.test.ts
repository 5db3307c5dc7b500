import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestHost, type TestHost } from '@faultline/plugin-sdk/testing';
import { newIssuesToGitHub } from './testing/alert-rule';
import { StandInGitHub } from './testing/stand-in-github';
import { assignmentEvent, deliver } from './testing/webhook-deliveries';

const SECRET = 'github-webhook-test-secret';
const REPOSITORY = 'acme/api';
const OAUTH_APP = { clientId: 'Iv1.connecttest', clientSecret: 'oauth-app-test-secret' };
/** The owner's GitHub login, linked through "Connect GitHub" half-way through. */
const ADA = 'ada-gh';
const PACKAGE_ROOT = path.resolve(__dirname, '..');

interface IssueJson {
  id: string;
  assignedTo: { id: string } | null;
}

async function json<T>(host: TestHost, pathname: string, init?: RequestInit): Promise<T> {
  const answer = await host.api(pathname, init);
  const text = await answer.text();
  assert.ok(answer.ok, `${pathname}: ${answer.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * "Connect GitHub" (GitHub's OAuth web flow from a signed-in session to a linked account) and the
 * assignee sync that the link drives, on the plugin test host against the stand-in GitHub: real
 * HTTP requests carrying a real session cookie, following each redirect as a browser would.
 */
describe('github extension: Connect GitHub and assignees through the linked account', function () {
  this.timeout(180_000);
  let standIn: StandInGitHub;
  let host: TestHost;
  let cookie: string;
  let ownerId: string;
  let issueId: string;
  const webhookUrl = () => `${host.url}/api/0/plugins/github/webhook`;
  const connectUrl = () => `${host.url}/api/0/plugins/github/connect?organization=${host.organization.slug}`;
  const issue = () => json<IssueJson>(host, `/api/0/issues/${issueId}/`);
  const gitHubIssue = () => standIn.issue(REPOSITORY, 1)!;
  const assign = async (assignedTo: string | null) => {
    await json(host, `/api/0/issues/${issueId}/`, { method: 'PUT', body: JSON.stringify({ assignedTo }) });
    await host.waitForIdle();
  };
  const assigneeCalls = () => standIn.calls().filter((call) => call.endsWith('/assignees'));
  const faultlineComments = async () =>
    (await json<{ data: { text: string } }[]>(host, `/api/0/issues/${issueId}/comments/`)).map(
      (c) => c.data.text,
    );
  /** GET with the session (or none), not following redirects: the test follows them as a browser. */
  const visit = (url: string, withCookie = true) =>
    fetch(url, { headers: withCookie ? { cookie } : {}, redirect: 'manual' });

  /** Start → GitHub's authorize page (the person approves at once) → back at the callback URL. */
  async function authorizeOnGitHub(): Promise<string> {
    const start = await visit(connectUrl());
    assert.equal(start.status, 302, await start.text());
    const authorize = new URL(start.headers.get('location')!);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${standIn.url}/login/oauth/authorize`);
    assert.equal(authorize.searchParams.get('client_id'), OAUTH_APP.clientId);
    assert.equal(
      authorize.searchParams.get('redirect_uri'),
      `${host.url}/api/0/plugins/github/connect/callback`,
    );
    const approved = await fetch(authorize, { redirect: 'manual' });
    assert.equal(approved.status, 302);
    return approved.headers.get('location')!;
  }

  before(async () => {
    standIn = await new StandInGitHub().start();
    standIn.oauthApp = OAUTH_APP;
    host = await startTestHost({
      plugins: [PACKAGE_ROOT],
      config: {
        github: {
          baseUrl: standIn.url,
          token: 'github_pat_test',
          webhookSecret: SECRET,
          oauthClientId: OAUTH_APP.clientId,
          oauthClientSecret: OAUTH_APP.clientSecret,
          connections: [{ repository: REPOSITORY }],
        },
      },
      settings: { PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true' },
    });
    cookie = await host.sessionCookie();
    ownerId = (await json<{ id: string }>(host, '/api/0/users/me/')).id;
    await json(host, `/api/0/projects/${host.organization.slug}/${host.project.slug}/rules/`, {
      method: 'POST',
      body: JSON.stringify(newIssuesToGitHub()),
    });
    await host.sendEvent({ message: 'Invoice INV-7 has a negative balance', level: 'error' });
    await host.waitForIdle();
    const list = await json<IssueJson[]>(
      host,
      `/api/0/projects/${host.organization.slug}/${host.project.slug}/issues/?query=`,
    );
    issueId = list[0].id;
    assert.ok(standIn.issue(REPOSITORY, 1), `no GitHub issue created: ${standIn.calls().join(', ')}`);
  });
  after(async () => {
    await host?.close();
    await standIn?.close();
  });
  afterEach(() => assert.deepEqual(standIn.problems, [], 'requests GitHub would not accept'));

  it('assigned in Faultline to someone with no linked GitHub account: a GitHub comment says so, nobody is assigned there', async () => {
    await assign(`user:${ownerId}`);
    assert.deepEqual(gitHubIssue().assignees ?? [], []);
    assert.match(gitHubIssue().comments.at(-1)?.body ?? '', /has no GitHub account linked/);
  });

  it('assigned on GitHub to someone with no linked Faultline account: a Faultline comment says so, the assignee stays', async () => {
    const stranger = { login: 'octo-stranger', id: standIn.userId('octo-stranger') };
    const answer = await deliver(
      webhookUrl(),
      'issues',
      assignmentEvent(REPOSITORY, 1, 'assigned', stranger, [stranger]),
      { secret: SECRET },
    );
    assert.deepEqual([answer.status, JSON.parse(answer.body)], [200, { changed: 0 }]);
    await host.waitForIdle();
    assert.equal((await issue()).assignedTo?.id, ownerId);
    assert.ok(
      (await faultlineComments()).some((t) => t.startsWith('@octo-stranger was assigned on GitHub')),
      'no comment about the unlinked GitHub user',
    );
  });

  it('Connect GitHub: asks to sign in first, refuses unknown, expired and used states as pages, links the signed-in person', async () => {
    const anonymous = await visit(connectUrl(), false);
    assert.equal(anonymous.status, 401);
    assert.match(await anonymous.text(), /Sign in to Faultline first/);

    const unknown = await visit(`${host.url}/api/0/plugins/github/connect/callback?state=forged&code=x`);
    assert.equal(unknown.status, 400);
    assert.match(unknown.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await unknown.text(), /unknown or was already used/);

    await host.storage('github').set('connect-state:stale', {
      userId: ownerId,
      organization: host.organization.slug,
      expiresAt: Date.now() - 1000,
    });
    const expired = await visit(`${host.url}/api/0/plugins/github/connect/callback?state=stale&code=x`);
    assert.equal(expired.status, 400);
    assert.match(await expired.text(), /expired/);

    // GitHub has no one to approve: nobody is signed in there yet.
    standIn.signedInLogin = ADA;
    const callback = await authorizeOnGitHub();
    const linked = await visit(callback);
    assert.equal(linked.status, 303, await linked.text());
    assert.equal(linked.headers.get('location'), `${host.url}/settings/account/linked-accounts/`);
    // The code was exchanged with the app's secret, then GitHub asked who authorized.
    const exchange = standIn.requests.find((r) => r.path === '/login/oauth/access_token');
    assert.deepEqual(
      exchange && {
        client_id: (exchange.body as Record<string, string>).client_id,
        redirect_uri: (exchange.body as Record<string, string>).redirect_uri,
      },
      { client_id: OAUTH_APP.clientId, redirect_uri: `${host.url}/api/0/plugins/github/connect/callback` },
    );
    assert.ok(standIn.calls().includes('GET /user'));

    // A state serves once.
    const replay = await visit(callback);
    assert.equal(replay.status, 400);

    // A callback reached without the session that started it links nobody (and uses the state up).
    const withoutSession = await visit(await authorizeOnGitHub(), false);
    assert.equal(withoutSession.status, 401);

    const links = await fetch(`${host.url}/api/0/users/me/external-identities/`, { headers: { cookie } });
    const list = (await links.json()) as Record<string, unknown>[];
    assert.deepEqual(
      list.map((l) => [l.provider, l.organization, l.externalWorkspaceId, l.externalUserId]),
      [['github', host.organization.slug, '127.0.0.1', String(standIn.userId(ADA))]],
    );
  });

  it('assigned in Faultline: the linked GitHub login is assigned on GitHub, and the previous one taken off', async () => {
    await assign(null);
    await assign(`user:${ownerId}`);
    assert.deepEqual(gitHubIssue().assignees, [ADA]);
  });

  it('assigned and unassigned on GitHub: the Faultline assignee follows through the link, with nothing sent back', async () => {
    const ada = { login: ADA, id: standIn.userId(ADA) };
    const before = assigneeCalls().length;
    const unassigned = await deliver(
      webhookUrl(),
      'issues',
      assignmentEvent(REPOSITORY, 1, 'unassigned', ada, []),
      {
        secret: SECRET,
      },
    );
    assert.deepEqual(JSON.parse(unassigned.body), { changed: 1 });
    await host.waitForIdle();
    assert.equal((await issue()).assignedTo, null);

    const assigned = await deliver(
      webhookUrl(),
      'issues',
      assignmentEvent(REPOSITORY, 1, 'assigned', ada, [ada]),
      {
        secret: SECRET,
      },
    );
    assert.deepEqual(JSON.parse(assigned.body), { changed: 1 });
    await host.waitForIdle();
    assert.equal((await issue()).assignedTo?.id, ownerId);
    // Both changes came from GitHub: no assignee call went back there.
    assert.deepEqual(assigneeCalls().slice(before), []);
  });
});
