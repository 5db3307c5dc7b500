import assert from 'node:assert/strict';
import { ok } from '@faultline/api-client';
import {
  assignmentEvent,
  commentEvent,
  deliver,
  issueEvent,
  pushEvent,
  type StandInGitHub,
} from '@faultline/extension-github/testing';
import { isPostgresReachable } from '../core/src/testing/databases';
import { waitFor } from './support/api';
import {
  ADA,
  ADA_NAME,
  REPOSITORY,
  SECOND_REPOSITORY,
  reportError as reportWithSentry,
  startGitHubStack,
  type GitHubStack,
} from './support/github-stack';
import type { Stack } from './support/stack';

const SECRET = 'e2e-github-webhook-secret';
/** Hooks run off the request path through the job queue (retried with backoff): on a busy machine, a while. */
const HOOK_WAIT = { timeoutMs: 90_000 };

/**
 * The GitHub integration end to end with real processes: an unmodified @sentry/node app reports to
 * a real `faultline start`, whose built-in github plugin talks to a stand-in GitHub on loopback
 * (checking every request against GitHub's REST description) through the real Octokit; webhooks are
 * signed with the secret and posted to the real endpoint, as GitHub would.
 */
for (const kind of ['postgres', 'embedded'] as const) {
  describe(`github integration end to end [${kind}]`, function () {
    this.timeout(180_000);
    let running: GitHubStack | undefined;
    let stack: Stack | undefined;
    let github: StandInGitHub;
    let webhookUrl: string;
    let adminId: string;
    let issueId: string;
    let shortId: string;

    const api = () => stack!.api.client;
    const send = (event: string, payload: unknown) => deliver(webhookUrl, event, payload, { secret: SECRET });
    const issue = () => ok(api().GET('/api/0/issues/{issue}/', { params: { path: { issue: issueId } } }));
    const comments = async () =>
      (await ok(api().GET('/api/0/issues/{issue}/comments/', { params: { path: { issue: issueId } } }))).map(
        (note) => ({ text: note.data.text, user: note.user?.id ?? null }),
      );
    const assign = (assignedTo: string | null) =>
      ok(api().PUT('/api/0/issues/{issue}/', { params: { path: { issue: issueId } }, body: { assignedTo } }));
    const gitHubIssue = () => github.issue(REPOSITORY, 1);
    const calls = () => github.calls();
    const reportError = () => reportWithSentry(stack!);

    before(async function () {
      if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
      running = await startGitHubStack(kind, { webhookSecret: SECRET });
      ({ stack, github, adminId } = running);
      webhookUrl = `${stack.baseUrl}/api/0/plugins/github/webhook`;
    });

    after(async () => {
      await running?.dispose();
    });

    afterEach(() => assert.deepEqual(github.problems, [], 'requests GitHub would not accept'));

    it('an error becomes a GitHub issue; closed there resolves; a regression reopens it with a comment', async () => {
      await reportError();
      const created = await waitFor('the GitHub issue', async () => gitHubIssue(), {
        timeoutMs: 60_000,
        describe: () =>
          `GitHub saw ${calls().join(', ') || 'nothing'}; ${stack!.server.output().slice(-2000)}`,
      });
      const [listed] = await stack!.api.issues(stack!.setup.organization, stack!.setup.project);
      issueId = listed.id;
      shortId = listed.shortId;
      assert.match(created.title, new RegExp(`^${shortId}: RangeError`));
      // The in-app frame links to its line through the code mapping (the release is no commit: the branch).
      assert.ok(
        created.body.includes('/acme/api/blob/main/test/support/sentry-one-error-app.ts#L'),
        created.body,
      );
      assert.ok(created.body.includes(`/organizations/${stack!.setup.organization}/issues/${issueId}/`));

      const closed = await send('issues', issueEvent(REPOSITORY, 1, 'closed'));
      assert.equal(closed.status, 200, closed.body);
      await waitFor('the issue to be resolved', async () =>
        (await issue()).status === 'resolved' ? true : undefined,
      );

      await reportError();
      await waitFor(
        'the GitHub issue to be reopened',
        async () =>
          created.state === 'open' && created.comments.some((c) => /Regressed/.test(c.body))
            ? true
            : undefined,
        HOOK_WAIT,
      );
      assert.equal((await issue()).status, 'unresolved');
      // The close came from GitHub and was not sent back there (no echo).
      assert.ok(
        !github.requests.some(
          (r) => r.method === 'PATCH' && (r.body as { state?: string }).state === 'closed',
        ),
        calls().join(', '),
      );
    });

    it('assignees round-trip through the linked account; an unlinked GitHub user is said so, not assigned', async () => {
      const adaOnGitHub = { login: ADA, id: github.userId(ADA) };
      const assigned = await send(
        'issues',
        assignmentEvent(REPOSITORY, 1, 'assigned', adaOnGitHub, [adaOnGitHub]),
      );
      assert.equal(assigned.status, 200, assigned.body);
      assert.deepEqual(JSON.parse(assigned.body), { changed: 1 });
      const mine = await issue();
      assert.equal(mine.assignedTo && 'email' in mine.assignedTo ? mine.assignedTo.id : null, adminId);

      // Unassigned in Faultline: Ada is taken off on GitHub. Assigned again: she is put back there,
      // her GitHub login asked of GitHub by the user id she linked (logins can be renamed).
      const before = calls().length;
      await assign(null);
      await waitFor(
        'Ada to be unassigned on GitHub',
        async () => (gitHubIssue()!.assignees?.length === 0 ? true : undefined),
        HOOK_WAIT,
      );
      await assign(`user:${adminId}`);
      await waitFor(
        'Ada to be assigned on GitHub',
        async () => (gitHubIssue()!.assignees?.includes(ADA) ? true : undefined),
        HOOK_WAIT,
      );
      const made = new Set(calls().slice(before));
      assert.deepEqual([...made].sort(), [
        'DELETE /repos/acme/api/issues/1/assignees',
        `GET /user/${adaOnGitHub.id}`,
        'POST /repos/acme/api/issues/1/assignees',
      ]);
      // A GitHub issue made now (the issue action, as a person in the web UI would) starts with her assigned.
      const made2 = await ok(
        api().POST('/api/0/issues/{issue}/actions/{plugin}/{action}/', {
          params: { path: { issue: issueId, plugin: 'github', action: 'create-issue' } },
          body: { input: { repository: SECOND_REPOSITORY } },
        }),
      );
      assert.match(String(made2.message), /^Created acme\/web#1$/);
      assert.deepEqual(github.issue(SECOND_REPOSITORY, 1)?.assignees, [ADA]);

      // GitHub's own report of that assignment finds it in place: nothing changes, nothing echoes.
      const echo = await send(
        'issues',
        assignmentEvent(REPOSITORY, 1, 'assigned', adaOnGitHub, [adaOnGitHub]),
      );
      assert.deepEqual(JSON.parse(echo.body), { changed: 0 });

      const stranger = { login: 'stranger', id: github.userId('stranger') };
      const other = await send(
        'issues',
        assignmentEvent(REPOSITORY, 1, 'assigned', stranger, [adaOnGitHub, stranger]),
      );
      assert.deepEqual(JSON.parse(other.body), { changed: 0 });
      assert.ok(
        (await comments()).some((c) => c.text.startsWith('@stranger was assigned on GitHub')),
        'a comment says the GitHub user has no linked account',
      );

      const unassigned = await send(
        'issues',
        assignmentEvent(REPOSITORY, 1, 'unassigned', adaOnGitHub, [stranger]),
      );
      assert.deepEqual(JSON.parse(unassigned.body), { changed: 1 });
      assert.equal((await issue()).assignedTo, null);
    });

    it('comments name their authors both ways', async () => {
      const fromGitHub = await send(
        'issue_comment',
        commentEvent(REPOSITORY, 1, 'Rounding bug, on it', ADA, github.userId(ADA)),
      );
      assert.equal(fromGitHub.status, 200, fromGitHub.body);
      const copied = (await comments()).find((c) => c.text.includes('> Rounding bug, on it'));
      assert.ok(copied);
      assert.match(copied.text, new RegExp(`^@${ADA} \\(${ADA_NAME}\\) on GitHub`));
      assert.equal(copied.user, adminId, 'made by the linked Faultline user');

      await ok(
        api().POST('/api/0/issues/{issue}/comments/', {
          params: { path: { issue: issueId } },
          body: { text: 'Fix is in review' },
        }),
      );
      const sent = await waitFor(
        'the comment on GitHub',
        async () => gitHubIssue()!.comments.find((c) => c.body.includes('> Fix is in review')),
        HOOK_WAIT,
      );
      assert.ok(sent.body.includes(`— ${ADA_NAME}`), sent.body);
      // The copied GitHub comment did not go back to GitHub.
      assert.ok(!gitHubIssue()!.comments.some((c) => c.body.includes('Rounding bug')));
    });

    it('a signed push saying "fixes SHORT-ID" resolves the issue and closes the GitHub issue', async () => {
      const push = await send('push', pushEvent(REPOSITORY, [`Guard negative balances\n\nfixes ${shortId}`]));
      assert.deepEqual([push.status, JSON.parse(push.body)], [200, { resolved: 1 }]);
      assert.equal((await issue()).status, 'resolved');
      assert.equal(gitHubIssue()!.state, 'closed');
      const unsigned = await deliver(webhookUrl, 'push', pushEvent(REPOSITORY, ['x']), {
        secret: SECRET,
        signature: 'sha256=' + '0'.repeat(64),
      });
      assert.equal(unsigned.status, 401);
    });
  });
}
