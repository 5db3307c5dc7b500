import {
  buildCard,
  type CardAction,
  type CardAssignee,
  type CardIssue,
  type SlackMessage,
} from '@faultline/extension-slack';
import type { Issue } from './faultline';

/** The API's issue as the card builder takes it: the card the plugin posted, drawn again. */
export function cardIssueOf(issue: Issue): CardIssue {
  const metadata = issue.metadata as { value?: unknown };
  return {
    id: issue.id,
    shortId: issue.shortId,
    title: issue.title,
    culprit: issue.culprit || null,
    level: issue.level,
    status: issue.status,
    count: Number(issue.count),
    userCount: issue.userCount,
    firstSeen: issue.firstSeen,
    lastSeen: issue.lastSeen,
    permalink: issue.permalink,
    message: typeof metadata.value === 'string' ? metadata.value : undefined,
    assignee: issue.assignedTo ? issue.assignedTo.name : null,
  };
}

/** The card of an issue as it is now, with the last thing done to it (who, what, where). */
export function renderCard(
  issue: Issue,
  lastAction?: string,
  actions: CardAction[] = [],
  assignees: CardAssignee[] = [],
): SlackMessage {
  return buildCard(cardIssueOf(issue), { lastAction, actions, assignees });
}
