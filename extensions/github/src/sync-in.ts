import type { IssueSummary } from '@faultline/plugin-sdk';
import { commitsResolvingOf } from './commits';
import { configSchema, connectionOf, type Connection } from './config';
import { FROM_GITHUB, type Services } from './context';
import { closeForCommit } from './sync-out';
import { COMMENT_MARKER, linkKey, type GitHubIssueRef } from './links';
import { displayName, memberOfGitHubUser, type GitHubUser } from './people';

type InboundSwitch = 'statusFromGitHub' | 'commentsFromGitHub' | 'assigneesFromGitHub' | 'resolveByCommit';

/** The project's connection to `repository` when it has `direction` on. */
async function connected(
  services: Services,
  projectId: string,
  repository: string,
  direction: InboundSwitch,
): Promise<Connection | undefined> {
  const config = configSchema.parse(await services.config.forProject(projectId));
  const connection = connectionOf(config, repository);
  return connection?.sync[direction] ? connection : undefined;
}

/** The Faultline issues linked to the GitHub issue whose project takes `direction` from that repository. */
export async function linkedIssues(
  services: Services,
  ref: GitHubIssueRef,
  direction: InboundSwitch,
): Promise<IssueSummary[]> {
  const issues = await services.issues.findByExternalIssue(linkKey(ref));
  const kept: IssueSummary[] = [];
  for (const issue of issues)
    if (await connected(services, issue.projectId, ref.repository, direction)) kept.push(issue);
  return kept;
}

/**
 * A GitHub issue was closed or reopened: closed as completed resolves the linked issues, closed as
 * not planned ignores them, reopened unresolves them. Nothing changes when the issue is already in
 * that state (which is also what stops the echo of a close Faultline itself asked for).
 */
export async function applyGitHubState(
  services: Services,
  ref: GitHubIssueRef,
  state: 'open' | 'closed',
  stateReason?: string | null,
): Promise<number> {
  const wanted = state === 'open' ? 'unresolved' : stateReason === 'not_planned' ? 'ignored' : 'resolved';
  let changed = 0;
  for (const issue of await linkedIssues(services, ref, 'statusFromGitHub')) {
    if (issue.status === wanted) continue;
    await services.issues.updateStatus(issue.id, wanted, FROM_GITHUB);
    changed++;
  }
  return changed;
}

/**
 * A comment on a linked GitHub issue becomes a Faultline comment quoting it with its GitHub author,
 * and made by the Faultline member that author linked, when there is one.
 */
export async function applyGitHubComment(
  services: Services,
  ref: GitHubIssueRef,
  comment: { body: string; author?: GitHubUser; url: string },
): Promise<number> {
  // The plugin's own comments (backlinks, Faultline comments sent there) come back through the
  // webhook or the poll: they are not copied back.
  if (comment.body.includes(COMMENT_MARKER)) return 0;
  const quoted = comment.body
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  let added = 0;
  for (const issue of await linkedIssues(services, ref, 'commentsFromGitHub')) {
    const member = comment.author && (await memberOfGitHubUser(services, issue.projectId, comment.author));
    const who = `@${comment.author?.login ?? 'someone'}${member ? ` (${displayName(member, member.userId)})` : ''}`;
    const text = `${who} on GitHub (${comment.url}):\n\n${quoted}`.slice(0, 10_000);
    await services.issues.comment(issue.id, text, { ...FROM_GITHUB, actorUserId: member?.userId });
    added++;
  }
  return added;
}

export interface PushedCommit {
  id: string;
  message: string;
  url: string;
}

/**
 * Commits pushed to (or found on) a connected repository's default branch: each `fixes SHORT-ID` in
 * a message resolves that issue, when its project connects this repository, with a comment naming
 * the commit. Issues already resolved are left alone, so a redelivery or a second poll changes nothing.
 */
export async function resolveByCommits(
  services: Services,
  repository: string,
  commits: readonly PushedCommit[],
): Promise<number> {
  let resolved = 0;
  for (const { commit, shortId } of commitsResolvingOf(commits)) {
    for (const issue of await services.issues.findByShortId(shortId)) {
      if (issue.status === 'resolved') continue;
      if (!(await connected(services, issue.projectId, repository, 'resolveByCommit'))) continue;
      // GitHub first: when it fails, nothing changed here and the redelivery or next poll does it all.
      await closeForCommit(services, { issueId: issue.id, projectId: issue.projectId }, commit.id);
      await services.issues.updateStatus(issue.id, 'resolved', FROM_GITHUB);
      const title = commit.message.split('\n')[0];
      await services.issues.comment(
        issue.id,
        `Resolved by commit ${commit.id.slice(0, 12)} in ${repository}: ${title}\n${commit.url}`,
        FROM_GITHUB,
      );
      resolved++;
    }
  }
  return resolved;
}
