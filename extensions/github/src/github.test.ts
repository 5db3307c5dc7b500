import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { NodeClient, defaultStackParser, makeNodeTransport } from '@sentry/node';
import { startTestHost, type TestHost } from '@faultline/plugin-sdk/testing';
import { StandInGitHub } from './testing/stand-in-github';
import { commentEvent, deliver, example, issueEvent, pushEvent } from './testing/webhook-deliveries';

const SECRET = 'github-webhook-test-secret';
const REPOSITORY = 'acme/api';
/** The release the SDK reports: a commit, so stack-trace links point at it. */
const RELEASE = '0123456789abcdef0123456789abcdef01234567';
const PACKAGE_ROOT = path.resolve(__dirname, '..');

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
    body: JSON.stringify({
      name: 'New issues to GitHub',
      actionMatch: 'any',
      conditions: [{ id: 'issue.created' }],
      filters: [],
      actions: [{ plugin: 'github', config: {} }],
      frequency: 5,
    }),
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
});
