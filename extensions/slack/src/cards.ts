/**
 * Where a posted card is: the workspace, channel and message timestamp Slack identifies a message by.
 * The plugin records every card it posts as an external link of the issue (key below, url the
 * message's permalink), which `GET /api/0/issues/{issue}/external-issues/` lists: the Slack app finds
 * the cards of a changed issue there to update them in place.
 */
export interface PostedCard {
  team: string;
  channel: string;
  ts: string;
}

const PREFIX = 'slack-card';

export function cardKey(card: PostedCard): string {
  return `${PREFIX}:${card.team}:${card.channel}:${card.ts}`;
}

/** The card a key names, or undefined for any other key. */
export function parseCardKey(key: string): PostedCard | undefined {
  const match = /^slack-card:([A-Z0-9]+):([A-Z0-9]+):(\d+\.\d+)$/.exec(key);
  return match ? { team: match[1], channel: match[2], ts: match[3] } : undefined;
}
