import type { IssueSummary, LinkedMember } from '@faultline/plugin-sdk';
import { github } from './client';
import type { ProjectGitHub, Services } from './context';

/** A GitHub user as webhooks and the REST API describe one. */
export interface GitHubUser {
  login: string;
  /** GitHub's user id: stable when the login is renamed. */
  id?: number;
}

/**
 * The Faultline member a GitHub user linked their account to, in the project's organization. A
 * GitHub identity is linked by its user id (what the linking integration should send, as logins can
 * be renamed) or, failing that, by its login.
 */
export async function memberOfGitHubUser(
  services: Services,
  projectId: string,
  user: GitHubUser,
): Promise<LinkedMember | undefined> {
  const byId =
    user.id === undefined
      ? undefined
      : await services.linkedAccounts.findByExternalUser(projectId, String(user.id));
  return byId ?? (await services.linkedAccounts.findByExternalUser(projectId, user.login));
}

/** The GitHub logins of a member's linked identities: a numeric one is a user id, asked of GitHub. */
export async function gitHubLoginsOf(gh: ProjectGitHub, member: LinkedMember): Promise<string[]> {
  const logins: string[] = [];
  for (const { userId } of member.identities) {
    if (!/^\d+$/.test(userId)) logins.push(userId);
    else {
      const { data } = await github(`looking up GitHub user ${userId}`, () =>
        gh.octokit.rest.users.getById({ account_id: Number(userId) }),
      );
      logins.push(data.login);
    }
  }
  return [...new Set(logins)];
}

/** The GitHub logins of a Faultline issue's assignee, when a member who linked their GitHub account. */
export async function assigneeLoginsOf(
  services: Services,
  gh: ProjectGitHub,
  issue: IssueSummary,
): Promise<string[]> {
  const userId = issue.assignedTo?.userId;
  const member = userId ? await services.linkedAccounts.member(issue.projectId, userId) : undefined;
  return member ? gitHubLoginsOf(gh, member) : [];
}

/**
 * How a Faultline member is named to people outside Faultline (on GitHub, possibly a public
 * repository): the name they gave, never their email address.
 */
export function displayName(member: LinkedMember | undefined, userId: string | null): string {
  if (member?.name.trim()) return member.name.trim();
  return userId === null ? 'Faultline' : `Faultline user ${userId}`;
}
