import assert from 'node:assert/strict';
import type { StandInGitHub } from '@faultline/extension-github/testing';
import { isPostgresReachable } from '../core/src/testing/databases';
import { waitFor } from './support/api';
import {
  ADA,
  REPOSITORY,
  issueState,
  reportError,
  startGitHubStack,
  type GitHubStack,
} from './support/github-stack';

/** The poll runs once a minute: a change on GitHub shows up within two ticks (and a slow machine). */
const POLL_WAIT = { timeoutMs: 150_000, intervalMs: 1000 };
const HOOK_WAIT = { timeoutMs: 90_000 };

/**
 * The same sequence as github-e2e.test.ts with webhooks off (GitHub can't reach this Faultline): a
 * real `faultline start` with `polling` on finds GitHub's changes with its once-a-minute poll of the
 * stand-in GitHub. Postgres only: each step waits for a poll tick, which the embedded run would repeat.
 */
describe('github integration end to end, by polling [postgres]', function () {
  this.timeout(600_000);
  let running: GitHubStack | undefined;
  let github: StandInGitHub;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    running = await startGitHubStack('postgres', { polling: true });
    github = running.github;
  });

  after(async () => {
    await running?.dispose();
  });

  afterEach(() => assert.deepEqual(github.problems, [], 'requests GitHub would not accept'));

  it('closed on GitHub resolves and its assignee follows; a regression reopens it; a fixing commit resolves it', async () => {
    const { stack, adminId } = running!;
    github.repository(REPOSITORY).commits.push({ sha: 'a'.repeat(40), message: 'Initial commit' });
    await reportError(stack);
    const created = await waitFor('the GitHub issue', async () => github.issue(REPOSITORY, 1), HOOK_WAIT);
    const [listed] = await stack.api.issues(stack.setup.organization, stack.setup.project);
    const state = () => issueState(stack, listed.id);
    // The first poll notes where the issue's assignees and the repository's commits stand.
    const looked = (path: string) => github.requests.some((r) => r.method === 'GET' && r.path === path);
    await waitFor(
      'the first poll',
      async () =>
        looked('/repos/acme/api/issues/1') && looked('/repos/acme/api/commits') ? true : undefined,
      POLL_WAIT,
    );

    Object.assign(created, { state: 'closed', state_reason: 'completed', assignees: [ADA] });
    const polled = await waitFor(
      'the poll to resolve and assign the issue',
      async () => {
        const now = await state();
        return now.status === 'resolved' && now.assignee === adminId ? now : undefined;
      },
      POLL_WAIT,
    );
    assert.deepEqual(polled, { status: 'resolved', assignee: adminId });
    // Both came from GitHub: nothing went back there.
    assert.ok(!github.requests.some((r) => r.method === 'PATCH' || r.path.endsWith('/assignees')));

    await reportError(stack);
    await waitFor(
      'the GitHub issue to be reopened with a comment',
      async () =>
        created.state === 'open' && created.comments.some((c) => /Regressed/.test(c.body)) ? true : undefined,
      HOOK_WAIT,
    );
    assert.equal((await state()).status, 'unresolved');

    github
      .repository(REPOSITORY)
      .commits.push({ sha: 'b'.repeat(40), message: `Guard negative balances (fixes ${listed.shortId})` });
    await waitFor(
      'the poll to resolve the issue by the commit',
      async () => ((await state()).status === 'resolved' ? true : undefined),
      POLL_WAIT,
    );
    assert.equal(created.state, 'closed');
  });
});
