import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { NodeClient, defaultStackParser, makeNodeTransport } from '@sentry/node';
import { startTestHost, type TestHost } from '@faultline/plugin-sdk/testing';
import { newIssuesToGitHub } from './testing/alert-rule';
import { StandInGitHub } from './testing/stand-in-github';
import { commentEvent, deliver, example, issueEvent, pushEvent } from './testing/webhook-deliveries';

const SECRET = 'github-webhook-test-secret';
const REPOSITORY = 'acme/api';
/** The release the SDK reports: a commit, so stack-trace links point at it. */
const RELEASE = '0123456789abcdef0123456789abcdef01234567';
const PACKAGE_ROOT = path.resolve(__dirname, '..');

interface FrameJson {
  function: string | null;
  lineNo: number | null;
  inApp: boolean;
  sourceLink?: string;
}

interface EventJson {
  /** Only the exception entry's shape matters here. */
  entries: { type: string; data: { values?: { stacktrace: { frames: FrameJson[] } | null }[] } }[];
}

interface IssueJson {
  id: string;
  shortId: string;
  status: string;
}

function failInvoice(id: string): never {
  throw new RangeError(`Invoice ${id} has a negative balance`);
}

/** Reports the error through the official @sentry/node SDK (its own client, not the global one). */
async function reportWithSentry(dsn: string): Promise<void> {
  const client = new NodeClient({
    dsn,
    release: RELEASE,
    transport: makeNodeTransport,
    stackParser: defaultStackParser,
    integrations: [],
  });
  client.init();
  try {
    failInvoice('INV-7');
  } catch (error) {
    client.captureException(error);
  }
  assert.ok(await client.flush(10_000), 'the SDK could not send the event');
}

async function hostWith(standIn: StandInGitHub, config: Record<string, unknown>): Promise<TestHost> {
  return startTestHost({
    plugins: [PACKAGE_ROOT],
    config: {
      github: {
        baseUrl: standIn.url,
        token: 'github_pat_test',
        connections: [
          {
            repository: REPOSITORY,
            codeMappings: [
              { stackRoot: `${PACKAGE_ROOT}/`, sourceRoot: 'extensions/github/', branch: 'main' },
            ],
          },
        ],
        ...config,
      },
    },
    // The stand-in GitHub listens on loopback, which plugins may reach only when the installation says so.
    settings: { PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true' },
  });
}

async function json<T>(host: TestHost, pathname: string, init?: RequestInit): Promise<T> {
  const answer = await host.api(pathname, init);
  const text = await answer.text();
  assert.ok(answer.ok, `${pathname}: ${answer.status} ${text}`);
  return JSON.parse(text) as T;
}

async function onlyIssue(host: TestHost): Promise<IssueJson> {
  const list = await json<IssueJson[]>(
    host,
    `/api/0/projects/${host.organization.slug}/${host.project.slug}/issues/?query=`,
  );
  assert.equal(list.length, 1);
  return list[0];
}

async function alertRuleCreatingGitHubIssues(host: TestHost): Promise<void> {
  await json(host, `/api/0/projects/${host.organization.slug}/${host.project.slug}/rules/`, {
    method: 'POST',
    body: JSON.stringify(newIssuesToGitHub()),
  });
}

describe('github extension on the plugin test host, against a stand-in GitHub', function () {
  this.timeout(180_000);

  describe('with webhooks', () => {
    let standIn: StandInGitHub;
    let host: TestHost;
    let webhookUrl: string;

    before(async () => {
      standIn = await new StandInGitHub().start();
      host = await hostWith(standIn, { webhookSecret: SECRET });
      webhookUrl = `${host.url}/api/0/plugins/github/webhook`;
    });
    after(async () => {
      await host?.close();
      await standIn?.close();
    });
    afterEach(() => assert.deepEqual(standIn.problems, [], 'requests GitHub would not accept'));

    it('alert rule creates the GitHub issue; closed on GitHub resolves; regression reopens with a comment; push fixes resolves', async () => {
      await alertRuleCreatingGitHubIssues(host);
      await reportWithSentry(host.dsn);
      await host.waitForIdle();

      const issue = await onlyIssue(host);
      const created = standIn.issue(REPOSITORY, 1);
      assert.ok(created, `no GitHub issue created: ${standIn.calls().join(', ')}`);
      assert.match(created.title, new RegExp(`^${issue.shortId}: RangeError`));
      assert.match(created.body, /RangeError: Invoice INV-7 has a negative balance/);
      // The in-app frames link to their lines at the release's commit, through the code mapping (on
      // GitHub's web host: for a GitHub Enterprise Server API URL, that is its host, here the stand-in's).
      const link = `${standIn.url}/acme/api/blob/${RELEASE}/extensions/github/src/github.test.ts#L`;
      assert.ok(created.body.includes(`- failInvoice in [\`${__filename}:`), created.body);
      assert.ok(created.body.includes(`](${link}`), created.body);
      assert.match(created.body, new RegExp(`/organizations/${host.organization.slug}/issues/${issue.id}/`));
      assert.match(created.body, /\| Events \| 1 \|/);

      // The REST API's event detail links the same frames (the web UI and VS Code show the link);
      // library frames (not in-app) get none.
      const event = await json<EventJson>(host, `/api/0/issues/${issue.id}/events/latest/`);
      const frames = event.entries.flatMap((e) =>
        e.type === 'exception' ? (e.data.values ?? []).flatMap((v) => v.stacktrace?.frames ?? []) : [],
      );
      const thrower = frames.find((f) => f.function === 'failInvoice');
      assert.ok(thrower, JSON.stringify(frames));
      assert.equal(thrower.sourceLink, `${link}${thrower.lineNo}`);
      const library = frames.filter((f) => !f.inApp);
      assert.ok(library.length > 0, 'expected library frames (mocha) in the stack');
      assert.ok(
        library.every((f) => f.sourceLink === undefined),
        JSON.stringify(library),
      );

      const closed = await deliver(webhookUrl, 'issues', issueEvent(REPOSITORY, 1, 'closed'), {
        secret: SECRET,
      });
      assert.equal(closed.status, 200, closed.body);
      await host.waitForIdle();
      assert.equal((await json<IssueJson>(host, `/api/0/issues/${issue.id}/`)).status, 'resolved');
      // The resolve came from GitHub: nothing is sent back (no echo).
      assert.deepEqual(standIn.calls(), ['POST /repos/acme/api/issues']);

      await reportWithSentry(host.dsn);
      await host.waitForIdle();
      assert.equal((await json<IssueJson>(host, `/api/0/issues/${issue.id}/`)).status, 'unresolved');
      assert.equal(created.state, 'open');
      assert.match(created.comments.at(-1)?.body ?? '', /Regressed/);

      const push = pushEvent(REPOSITORY, [
        `Handle negative balances\n\nfixes ${issue.shortId.toLowerCase()}`,
      ]);
      const pushed = await deliver(webhookUrl, 'push', push, { secret: SECRET });
      assert.equal(pushed.status, 200, pushed.body);
      assert.deepEqual(JSON.parse(pushed.body), { resolved: 1 });
      await host.waitForIdle();
      assert.equal((await json<IssueJson>(host, `/api/0/issues/${issue.id}/`)).status, 'resolved');
      // The commit resolved it in Faultline, and the linked GitHub issue is closed with it.
      assert.equal(created.state, 'closed');
    });

    it('copies GitHub comments, quoted with their author, and sends Faultline comments to GitHub once', async () => {
      const issue = await onlyIssue(host);
      const gh = standIn.issue(REPOSITORY, 1)!;
      const before = gh.comments.length;
      await deliver(
        webhookUrl,
        'issue_comment',
        commentEvent(REPOSITORY, 1, 'Looks like the rounding code'),
        {
          secret: SECRET,
        },
      );
      await json(host, `/api/0/issues/${issue.id}/comments/`, {
        method: 'POST',
        body: JSON.stringify({ text: 'Fix is in review' }),
      });
      await host.waitForIdle();
      const comments = await json<{ data: { text: string } }[]>(host, `/api/0/issues/${issue.id}/comments/`);
      const texts = comments.map((c) => c.data.text);
      assert.ok(
        texts.some((t) => /^@octocat on GitHub/.test(t) && t.includes('> Looks like the rounding code')),
        texts.join('\n'),
      );
      // Only the Faultline comment went to GitHub; the copied GitHub comment did not go back.
      assert.equal(gh.comments.length, before + 1);
      assert.match(gh.comments.at(-1)!.body, /> Fix is in review/);
    });

    it('refuses bad signatures, answers unknown events 204 and handles a delivery once', async () => {
      const payload = issueEvent(REPOSITORY, 1, 'reopened');
      const bad = await deliver(webhookUrl, 'issues', payload, {
        secret: SECRET,
        signature: 'sha256=' + '0'.repeat(64),
      });
      assert.equal(bad.status, 401);
      const wrongSecret = await deliver(webhookUrl, 'issues', payload, { secret: 'not-the-secret-at-all' });
      assert.equal(wrongSecret.status, 401);
      const unknown = await deliver(webhookUrl, 'star', { action: 'created' }, { secret: SECRET });
      assert.equal(unknown.status, 204);

      const issue = await onlyIssue(host);
      const first = await deliver(webhookUrl, 'issues', payload, { secret: SECRET, delivery: 'delivery-1' });
      assert.deepEqual([first.status, JSON.parse(first.body)], [200, { changed: 1 }]);
      await json(host, `/api/0/issues/${issue.id}/`, {
        method: 'PUT',
        body: JSON.stringify({ status: 'resolved' }),
      });
      await host.waitForIdle();
      const again = await deliver(webhookUrl, 'issues', payload, { secret: SECRET, delivery: 'delivery-1' });
      assert.deepEqual([again.status, JSON.parse(again.body)], [200, { duplicate: true }]);
      assert.equal((await json<IssueJson>(host, `/api/0/issues/${issue.id}/`)).status, 'resolved');
      // Resolved in Faultline: the GitHub issue was closed.
      assert.equal(standIn.issue(REPOSITORY, 1)!.state, 'closed');
    });
  });

  describe('with webhooks off: polling, and GitHub failing', () => {
    let standIn: StandInGitHub;
    let host: TestHost;

    before(async () => {
      standIn = await new StandInGitHub().start();
      standIn.repository(REPOSITORY).commits.push({ sha: 'a'.repeat(40), message: 'Initial commit' });
      host = await hostWith(standIn, { polling: true });
    });
    after(async () => {
      await host?.close();
      await standIn?.close();
    });
    afterEach(() => assert.deepEqual(standIn.problems, [], 'requests GitHub would not accept'));

    it('retries creating the issue through the job queue after a 429 and creates it once', async () => {
      standIn.fail('POST', /^\/repos\/acme\/api\/issues$/, 429, { 'retry-after': '1' });
      await alertRuleCreatingGitHubIssues(host);
      await reportWithSentry(host.dsn);
      await host.waitForIdle({ allowFailures: true, timeoutMs: 60_000 });
      const failures = await host.failures('github');
      assert.equal(failures.counts.alert, 1, JSON.stringify(failures));
      assert.equal(standIn.repository(REPOSITORY).issues.length, 1);
      assert.deepEqual(
        standIn.requests.filter((r) => r.method === 'POST').map((r) => r.status),
        [429, 201],
      );
    });

    it('polls: closed on GitHub resolves, regression reopens with a comment, a fixing commit resolves; unchanged is a 304', async () => {
      const issue = await onlyIssue(host);
      const gh = standIn.issue(REPOSITORY, 1)!;
      await host.runTask('github', 'poll');
      assert.equal((await json<IssueJson>(host, `/api/0/issues/${issue.id}/`)).status, 'unresolved');
      await host.runTask('github', 'poll');
      assert.ok(
        standIn.requests.some((r) => r.path === '/repos/acme/api/issues/1' && r.status === 304),
        'an unchanged issue is asked for with If-None-Match and answered 304',
      );

      Object.assign(gh, { state: 'closed', state_reason: 'completed' });
      await host.runTask('github', 'poll');
      assert.equal((await json<IssueJson>(host, `/api/0/issues/${issue.id}/`)).status, 'resolved');
      assert.ok(!standIn.requests.some((r) => r.method === 'PATCH'), 'nothing sent back to GitHub');

      // GitHub fails the regression's first call: the hook is retried through the job queue.
      standIn.fail('POST', /^\/repos\/acme\/api\/issues\/1\/comments$/, 503);
      await reportWithSentry(host.dsn);
      await host.waitForIdle({ allowFailures: true });
      assert.equal((await host.failures('github')).counts.hook, 1);
      assert.equal((await json<IssueJson>(host, `/api/0/issues/${issue.id}/`)).status, 'unresolved');
      assert.equal(gh.state, 'open');
      assert.equal(gh.comments.filter((c) => /Regressed/.test(c.body)).length, 1);

      standIn
        .repository(REPOSITORY)
        .commits.push({ sha: 'b'.repeat(40), message: `Guard balances (fixes ${issue.shortId})` });
      await host.runTask('github', 'poll');
      assert.equal((await json<IssueJson>(host, `/api/0/issues/${issue.id}/`)).status, 'resolved');
      assert.equal(gh.state, 'closed');
      // The old commit, seen on the first poll, resolved nothing: only one resolve by commit.
      const comments = await json<{ data: { text: string } }[]>(host, `/api/0/issues/${issue.id}/comments/`);
      assert.equal(comments.filter((c) => c.data.text.startsWith('Resolved by commit')).length, 1);
    });
  });

  describe('as a GitHub App', () => {
    let standIn: StandInGitHub;
    let host: TestHost;

    before(async () => {
      standIn = await new StandInGitHub().start();
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      host = await hostWith(standIn, {
        token: undefined,
        app: { appId: 4242, installationId: 957387 },
        privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        webhookSecret: SECRET,
        previousWebhookSecret: 'the-secret-before-rotation',
      });
    });
    after(async () => {
      await host?.close();
      await standIn?.close();
    });
    afterEach(() => assert.deepEqual(standIn.problems, [], 'requests GitHub would not accept'));

    it('creates the issue with an installation token minted from the App key', async () => {
      await alertRuleCreatingGitHubIssues(host);
      await host.sendEvent({ message: 'Quota exceeded', level: 'error' });
      await host.waitForIdle();
      const [tokenRequest, create] = standIn.requests;
      assert.equal(
        `${tokenRequest.method} ${tokenRequest.path}`,
        'POST /app/installations/957387/access_tokens',
      );
      assert.match(
        String(tokenRequest.headers.authorization),
        /^bearer ey/i,
        'the App authenticates with a JWT',
      );
      assert.equal(`${create.method} ${create.path}`, 'POST /repos/acme/api/issues');
      assert.equal(create.headers.authorization, 'token ghs_standin957387');
    });

    it('keeps installation events, and accepts the previous webhook secret during rotation', async () => {
      const url = `${host.url}/api/0/plugins/github/webhook`;
      const created = await deliver(url, 'installation', example('installation', 'created'), {
        secret: SECRET,
      });
      assert.equal(created.status, 200, created.body);
      const added = await deliver(
        url,
        'installation_repositories',
        example('installation_repositories', 'added'),
        {
          secret: 'the-secret-before-rotation',
        },
      );
      assert.equal(added.status, 200, added.body);
      const kept = await host
        .storage('github')
        .get<{ account: string; repositories: string[] }>('installation:957387');
      assert.equal(kept?.account, 'Codertocat');
      assert.deepEqual(kept?.repositories, ['Codertocat/Hello-World', 'Codertocat/Space']);
    });
  });

  describe('issue actions (create, link) through the REST API', () => {
    let standIn: StandInGitHub;
    let host: TestHost;

    before(async () => {
      standIn = await new StandInGitHub().start();
      standIn.repository(REPOSITORY).issues.push({
        number: 1,
        title: 'Checkout is slow',
        body: '',
        state: 'open',
        state_reason: null,
        labels: [],
        comments: [],
      });
      host = await hostWith(standIn, {});
    });
    after(async () => {
      await host?.close();
      await standIn?.close();
    });
    afterEach(() => assert.deepEqual(standIn.problems, [], 'requests GitHub would not accept'));

    async function tokenWith(scopes: string[]): Promise<string> {
      const made = await json<{ token: string }>(host, '/api/0/api-tokens/', {
        method: 'POST',
        body: JSON.stringify({ name: scopes.join(' '), scopes }),
      });
      return made.token;
    }

    async function runAction(issueId: string, action: string, input: unknown, token: string) {
      const answer = await fetch(`${host.url}/api/0/issues/${issueId}/actions/github/${action}/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ input }),
      });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    }

    it('creates a GitHub issue once however many callers race, and links an existing one with a backlink', async () => {
      await host.sendEvent({ message: 'Card declined', level: 'error' });
      await host.waitForIdle();
      const issue = await onlyIssue(host);
      const writer = await tokenWith(['org:read', 'event:read', 'event:write']);

      const offered = await fetch(`${host.url}/api/0/issues/${issue.id}/actions/`, {
        headers: { authorization: `Bearer ${writer}` },
      });
      const actions = (await offered.json()) as { plugin: string; id: string; label: string }[];
      assert.deepEqual(
        actions.filter((a) => a.plugin === 'github').map((a) => [a.id, a.label]),
        [
          ['create-issue', 'Create GitHub issue'],
          ['link-issue', 'Link existing GitHub issue'],
        ],
      );

      const runs = await Promise.all(
        [1, 2, 3].map(() => runAction(issue.id, 'create-issue', { labels: ['bug'] }, writer)),
      );
      const created = standIn.repository(REPOSITORY).issues.filter((i) => i.number > 1);
      assert.equal(created.length, 1, 'one GitHub issue per Faultline issue and repository');
      assert.deepEqual(created[0].labels, ['bug']);
      const ok = runs.filter((r) => r.status === 200);
      assert.ok(ok.length >= 1, JSON.stringify(runs));
      // The others found the link, or were told it is being created (a 4xx naming it), never a second issue.
      for (const run of runs.filter((r) => r.status !== 200))
        assert.match(String(run.body.detail), /being created/);
      assert.match(String(ok[0].body.message), /^(Created|Already linked to) acme\/api#2$/);
      assert.equal((ok[0].body.externalIssue as { key: string }).key, 'github:acme/api#2');

      const linked = await runAction(
        issue.id,
        'link-issue',
        { issue: 'https://github.com/acme/api/issues/1' },
        writer,
      );
      assert.equal(linked.status, 200, JSON.stringify(linked.body));
      assert.equal(linked.body.message, 'Linked acme/api#1');
      assert.match(standIn.issue(REPOSITORY, 1)!.comments[0].body, new RegExp(`/issues/${issue.id}/`));

      // Both GitHub issues are listed on the Faultline issue.
      const external = await json<{ key?: string; url?: string }[]>(
        host,
        `/api/0/issues/${issue.id}/external-issues/`,
      );
      assert.equal(external.length, 2, JSON.stringify(external));
    });

    it('refuses a read-only caller, bad input and a repository the project does not connect', async () => {
      const issue = await onlyIssue(host);
      const reader = await tokenWith(['org:read', 'event:read']);
      const writer = await tokenWith(['org:read', 'event:read', 'event:write']);
      assert.equal((await runAction(issue.id, 'create-issue', {}, reader)).status, 403);
      assert.equal((await runAction(issue.id, 'create-issue', { labels: 'bug' }, writer)).status, 400);
      const other = await runAction(issue.id, 'link-issue', { issue: 'other/repo#3' }, writer);
      assert.equal(other.status, 422, JSON.stringify(other.body));
      assert.match(String(other.body.detail), /other\/repo is not connected/);

      // The project connects a second repository through its own plugin settings (connections are
      // usually set per project); then that repository's issues can be linked.
      standIn.repository('other/repo').issues.push({
        number: 3,
        title: 'Flaky totals',
        body: '',
        state: 'open',
        state_reason: null,
        labels: [],
        comments: [],
      });
      await json(host, `/api/0/projects/${host.organization.slug}/${host.project.slug}/plugins/github/`, {
        method: 'PUT',
        body: JSON.stringify({
          enabled: true,
          config: {
            connections: [{ repository: REPOSITORY }, { repository: 'other/repo', labels: ['triage'] }],
          },
        }),
      });
      const linked = await runAction(issue.id, 'link-issue', { issue: 'other/repo#3' }, writer);
      assert.equal(linked.status, 200, JSON.stringify(linked.body));
      assert.equal(standIn.issue('other/repo', 3)!.comments.length, 1);
    });
  });
});
