import { ok } from '@faultline/api-client';
import type { CardAssignee, SlackMessage } from '@faultline/extension-slack';
import type { Faultline } from './faultline';
import { renderCard } from './render';

/** The issue actions plugins offer for an issue (`GET /issues/{id}/actions/`). */
export async function issueActions(faultline: Faultline, issueId: string) {
  return ok(faultline.app.GET('/api/0/issues/{issue}/actions/', { params: { path: { issue: issueId } } }));
}

/**
 * Who an issue may be assigned to, as `assignedTo` takes them: the organization's members who
 * linked their Slack account (the people on-call can reach from the channel), and its teams (the
 * token needs member:read and team:read).
 */
export async function assignees(faultline: Faultline): Promise<CardAssignee[]> {
  const organization = { params: { path: { organization: faultline.organization } } };
  const [members, links, teams] = await Promise.all([
    ok(faultline.app.GET('/api/0/organizations/{organization}/members/', organization)),
    ok(faultline.app.GET('/api/0/organizations/{organization}/external-identities/', organization)),
    ok(faultline.app.GET('/api/0/organizations/{organization}/teams/', organization)),
  ]);
  const linked = new Set(links.map((link) => link.userId));
  return [
    { label: 'Nobody', value: '' },
    ...members
      .filter((member) => linked.has(String(member.user.id)))
      .map((member) => ({ label: member.name || member.email, value: `user:${member.user.id}` })),
    ...teams.map((team) => ({ label: `#${team.slug}`, value: `team:${team.id}` })),
  ];
}

/** The card of an issue as it is now, with the issue actions and assignees it offers now. */
export async function drawCard(
  faultline: Faultline,
  issueId: string,
  lastAction?: string,
): Promise<SlackMessage> {
  const [issue, actions, people] = await Promise.all([
    faultline.issue(issueId),
    issueActions(faultline, issueId),
    // A token without member:read or team:read draws the card without the Assign select.
    assignees(faultline).catch((): CardAssignee[] => []),
  ]);
  return renderCard(issue, lastAction, actions, people);
}
