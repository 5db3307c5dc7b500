import type { ChangeActor, IssueAssignee, IssueChange, IssueSummary } from '@faultline/plugin-sdk';
import { github } from './client';
import { FROM_GITHUB, splitRepository, type Services } from './context';
import { COMMENT_MARKER, type GitHubIssueRef } from './links';
import { displayName, gitHubLoginsOf, memberOfGitHubUser, type GitHubUser } from './people';
import { linkedIssues } from './sync-in';
import { fromGitHub, once, targets, type Target } from './sync-out';

/**
 * Assignees both ways, through linked accounts. Faultline has one assignee, GitHub several: a GitHub
 * user assigned there assigns the Faultline member they linked; the Faultline assignee's linked
 * GitHub account is added there, and the previous one's removed. People without a linked account
 * are said so in a comment on the other side, and nothing is assigned for them. Each side's echo of
 * the other's change finds the assignee already in place and changes nothing.
 */

/**
 * GitHub `assigned` / `unassigned` `user` on a linked issue that now has `assignees`. Returns how
 * many Faultline issues changed.
 */
export async function applyGitHubAssignment(
  services: Services,
  ref: GitHubIssueRef,
  change: { action: 'assigned' | 'unassigned'; user: GitHubUser; assignees: GitHubUser[] },
): Promise<number> {
  let changed = 0;
  for (const issue of await linkedIssues(services, ref, 'assigneesFromGitHub')) {
    const member = await memberOfGitHubUser(services, issue.projectId, change.user);
    const current = issue.assignedTo?.userId ?? null;
    if (change.action === 'assigned') {
      if (!member) await sayNotLinked(services, issue, ref, change.user);
      else if (current !== member.userId) {
        await services.issues.assign(issue.id, member.userId, FROM_GITHUB);
        changed++;
      }
      continue;
    }
    // Unassigned on GitHub: only when that was the Faultline assignee does Faultline follow, to the
    // next GitHub assignee with a linked account, else nobody.
    if (!member || current !== member.userId) continue;
    let next: string | null = null;
    for (const other of change.assignees.filter((a) => a.login !== change.user.login)) {
      const linked = await memberOfGitHubUser(services, issue.projectId, other);
      if (linked) {
        next = linked.userId;
        break;
      }
    }
    await services.issues.assign(issue.id, next, FROM_GITHUB);
    changed++;
  }
  return changed;
}

/**
 * The poll saw a linked GitHub issue's assignees go from `before` to `after`: the same as the
 * webhook's `unassigned` for each one gone and `assigned` for each one new.
 */
export async function applyGitHubAssignees(
  services: Services,
  ref: GitHubIssueRef,
  before: GitHubUser[],
  after: GitHubUser[],
): Promise<number> {
  const has = (list: GitHubUser[], user: GitHubUser) => list.some((u) => u.login === user.login);
  let changed = 0;
  for (const user of before.filter((u) => !has(after, u)))
    changed += await applyGitHubAssignment(services, ref, { action: 'unassigned', user, assignees: after });
  for (const user of after.filter((u) => !has(before, u)))
    changed += await applyGitHubAssignment(services, ref, { action: 'assigned', user, assignees: after });
  return changed;
}

async function sayNotLinked(
  services: Services,
  issue: IssueSummary,
  ref: GitHubIssueRef,
  user: GitHubUser,
): Promise<void> {
  services.logger.info('github assignee has no linked Faultline account', {
    issue: issue.id,
    github: `${ref.repository}#${ref.number}`,
    login: user.login,
  });
  await services.issues.comment(
    issue.id,
    `@${user.login} was assigned on GitHub (${ref.repository}#${ref.number}) but has no Faultline account linked in this organization, so the assignee here is unchanged.`,
    FROM_GITHUB,
  );
}

/** Faultline's assignee changed: the linked GitHub accounts follow on every linked GitHub issue. */
export async function onAssigned(
  services: Services,
  change: IssueChange & { from: IssueAssignee; to: IssueAssignee; actor: ChangeActor },
): Promise<void> {
  if (fromGitHub(change.actor)) return;
  const found = await targets(services, change, 'assigneesToGitHub');
  if (found.length === 0) return;
  // Every target is of the change's project, so they share its GitHub client.
  const { gh } = found[0];
  const memberOf = (assignee: IssueAssignee) =>
    assignee && 'userId' in assignee
      ? services.linkedAccounts.member(change.projectId, assignee.userId)
      : Promise.resolve(undefined);
  const [was, now] = await Promise.all([memberOf(change.from), memberOf(change.to)]);
  const add = now ? await gitHubLoginsOf(gh, now) : [];
  const remove = was ? (await gitHubLoginsOf(gh, was)).filter((login) => !add.includes(login)) : [];
  const unlinked =
    change.to && 'userId' in change.to && add.length === 0 ? displayName(now, change.to.userId) : undefined;
  for (const target of found)
    await once(services, change, target, () => assignOnGitHub(target, { add, remove, unlinked }));
}

async function assignOnGitHub(
  target: Target,
  step: { add: string[]; remove: string[]; unlinked?: string },
): Promise<void> {
  const { owner, repo } = splitRepository(target.connection.repository);
  const issue_number = target.ref.number;
  const name = `${target.connection.repository}#${issue_number}`;
  const { octokit } = target.gh;
  if (step.remove.length > 0)
    await github(`unassigning ${name}`, () =>
      octokit.rest.issues.removeAssignees({ owner, repo, issue_number, assignees: step.remove }),
    );
  if (step.add.length > 0)
    await github(`assigning ${name}`, () =>
      octokit.rest.issues.addAssignees({ owner, repo, issue_number, assignees: step.add }),
    );
  if (step.unlinked)
    await github(`commenting on ${name}`, () =>
      octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number,
        body: `Assigned in Faultline to ${step.unlinked}, who has no GitHub account linked, so no one is assigned here for them.\n${COMMENT_MARKER}`,
      }),
    );
}
