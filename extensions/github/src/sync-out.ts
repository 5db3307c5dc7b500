import type { ChangeActor, IssueChange, IssueRef } from '@faultline/plugin-sdk';
import { github } from './client';
import { connectionOf, type Connection } from './config';
import { projectGitHub, splitRepository, type ProjectGitHub, type Services } from './context';
import { COMMENT_MARKER, parseLinkKey, type GitHubIssueRef } from './links';
import { displayName } from './people';

type SyncSwitch = 'statusToGitHub' | 'commentsToGitHub' | 'assigneesToGitHub';

export interface Target {
  gh: ProjectGitHub;
  connection: Connection;
  ref: GitHubIssueRef;
}

/** The GitHub issues linked to a Faultline issue whose connection has `direction` on. */
export async function targets(
  services: Services,
  change: IssueChange,
  direction: SyncSwitch,
): Promise<Target[]> {
  const links = await services.issues.externalIssues(change.issueId);
  if (links.length === 0) return [];
  const gh = await projectGitHub(services, change.projectId);
  const found: Target[] = [];
  for (const link of links) {
    const ref = parseLinkKey(link.key);
    const connection = ref && connectionOf(gh.config, ref.repository);
    if (ref && connection?.sync[direction]) found.push({ gh, connection, ref });
  }
  return found;
}

/**
 * Runs `step` once per change and GitHub issue: a hook retried after a partial failure (one of two
 * linked issues updated) does not comment twice on the one that worked.
 */
export async function once(
  services: Services,
  change: IssueChange,
  target: Target,
  step: () => Promise<void>,
) {
  const key = `done:${change.changeId}:${target.ref.repository.toLowerCase()}#${target.ref.number}`;
  if (await services.storage.get(key)) return;
  await step();
  await services.storage.set(key, Date.now());
}

async function setState(target: Target, state: 'open' | 'closed', comment?: string): Promise<void> {
  const { owner, repo } = splitRepository(target.connection.repository);
  const issue_number = target.ref.number;
  const name = `${target.connection.repository}#${issue_number}`;
  if (comment)
    await github(`commenting on ${name}`, () =>
      target.gh.octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number,
        body: `${comment}\n${COMMENT_MARKER}`,
      }),
    );
  await github(`${state === 'open' ? 'reopening' : 'closing'} ${name}`, () =>
    target.gh.octokit.rest.issues.update({
      owner,
      repo,
      issue_number,
      state,
      ...(state === 'closed' ? { state_reason: 'completed' as const } : {}),
    }),
  );
}

/** A change that came from GitHub (the plugin's own webhook or poll) is not sent back there. */
export const fromGitHub = (actor: ChangeActor) => actor.surface === 'github';

/** Faultline resolved → close the linked GitHub issues; unresolved by a person → reopen them. */
export async function onStateChanged(
  services: Services,
  change: IssueChange & { from: string; to: string; actor: ChangeActor },
): Promise<void> {
  if (fromGitHub(change.actor)) return;
  // A regression (the pipeline unresolving) is handled by onRegressed, with its comment.
  const reopen =
    change.from === 'resolved' && change.to === 'unresolved' && change.actor.surface !== 'system';
  if (change.to !== 'resolved' && !reopen) return;
  for (const target of await targets(services, change, 'statusToGitHub'))
    await once(services, change, target, () => setState(target, reopen ? 'open' : 'closed'));
}

/** Faultline regressed → reopen the linked GitHub issues with a comment saying so. */
export async function onRegressed(services: Services, change: IssueChange): Promise<void> {
  const issue = await services.issues.get(change.issueId);
  if (!issue) return;
  const comment = `Regressed: [${issue.shortId}](${issue.permalink}) was seen again after it was resolved (last seen ${issue.lastSeen}).`;
  for (const target of await targets(services, change, 'statusToGitHub'))
    await once(services, change, target, () => setState(target, 'open', comment));
}

/** A Faultline comment → a GitHub comment, quoted, naming who wrote it (never their email). */
export async function onComment(
  services: Services,
  change: IssueChange & { commentId: string; text: string; actor: ChangeActor },
): Promise<void> {
  if (fromGitHub(change.actor)) return;
  const issue = await services.issues.get(change.issueId);
  const writer =
    change.actor.userId === null
      ? undefined
      : await services.linkedAccounts.member(change.projectId, change.actor.userId);
  const author = displayName(writer, change.actor.userId);
  const quoted = change.text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  const body = `${quoted}\n\n— ${author}${issue ? ` on [${issue.shortId}](${issue.permalink})` : ''}\n${COMMENT_MARKER}`;
  for (const target of await targets(services, change, 'commentsToGitHub'))
    await once(services, change, target, async () => {
      const { owner, repo } = splitRepository(target.connection.repository);
      await github(`commenting on ${target.connection.repository}#${target.ref.number}`, () =>
        target.gh.octokit.rest.issues.createComment({ owner, repo, issue_number: target.ref.number, body }),
      );
    });
}

/**
 * A commit resolved the issue (`fixes SHORT-ID`): close its linked GitHub issues too, once per commit.
 * The resolve itself is recorded as GitHub's, so `onStateChanged` leaves it alone.
 */
export async function closeForCommit(services: Services, issue: IssueRef, commit: string): Promise<void> {
  const change = { ...issue, changeId: `commit:${commit}` };
  for (const target of await targets(services, change, 'statusToGitHub'))
    await once(services, change, target, () => setState(target, 'closed'));
}
