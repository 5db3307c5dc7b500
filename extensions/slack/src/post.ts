import { LogLevel, WebClient } from '@slack/web-api';
import type { AlertedIssue, EventsService, IssuesService } from '@faultline/plugin-sdk';
import { buildCard, type CardIssue } from './card';
import { cardKey, parseCardKey, type PostedCard } from './cards';
import type { SlackActionConfig } from './config';

export interface SlackSettings {
  botToken: string;
  apiUrl: string;
}

/**
 * `@slack/web-api` rather than hand-written HTTP: it honours 429 `Retry-After` and retries server
 * errors. Retries are kept short because an alert action runs within the hook budget (5 s) and the
 * host retries the whole notification with backoff anyway.
 */
export function slackClient(settings: SlackSettings): WebClient {
  return new WebClient(settings.botToken, {
    slackApiUrl: settings.apiUrl.endsWith('/') ? settings.apiUrl : `${settings.apiUrl}/`,
    retryConfig: { retries: 2, factor: 1, minTimeout: 200, maxTimeout: 1000 },
    rejectRateLimitedCalls: false,
    timeout: 4000,
    // Failures reach the host as the thrown error (counted and logged there), not as console lines.
    logLevel: LogLevel.ERROR,
  });
}

/** The team a bot token belongs to, asked once per token. */
const teams = new Map<string, Promise<string>>();
function teamOf(client: WebClient, token: string): Promise<string> {
  let team = teams.get(token);
  if (!team) {
    team = client.auth.test().then((answer) => String(answer.team_id));
    team.catch(() => teams.delete(token));
    teams.set(token, team);
  }
  return team;
}

export interface AlertCardDeps {
  client: WebClient;
  token: string;
  issues: IssuesService;
  events: EventsService;
}

async function cardIssueOf(events: EventsService, fired: AlertedIssue): Promise<CardIssue> {
  const { issue } = fired;
  const latest = await events.latestForIssue(issue.id);
  const exception = latest?.exception?.values.at(-1);
  return {
    ...issue,
    message: latest?.message ?? exception?.value ?? undefined,
    environment: latest?.environment,
    release: latest?.release,
  };
}

/**
 * Posts the card of one alerted issue to the action's channel and records it on the issue (see
 * cards.ts). An issue that already has a card in that channel gets a thread reply under it instead:
 * one card per issue and channel, kept true by the Slack app, with each later firing (a frequency
 * alert, a status change) in its thread.
 */
export async function postAlertCard(
  deps: AlertCardDeps,
  action: SlackActionConfig,
  rule: { name: string },
  fired: AlertedIssue,
): Promise<PostedCard> {
  const { client, issues } = deps;
  const team = await teamOf(client, deps.token);
  const existing = (await issues.externalIssues(fired.issue.id))
    .map((link) => parseCardKey(link.key))
    .find((card) => card?.team === team && card.channel === action.channel);
  if (existing) {
    // The Slack app announces a regression in the thread itself (card sync), for every card.
    if (fired.trigger === 'issue.regressed') return existing;
    await client.chat.postMessage({
      channel: existing.channel,
      thread_ts: existing.ts,
      text: `${fired.reason} (rule ${rule.name})`,
    });
    return existing;
  }
  const card = buildCard(await cardIssueOf(deps.events, fired), {
    rule: { name: rule.name, reason: fired.reason },
    mentions: action.mentions,
    notes: action.notes,
  });
  const posted = await client.chat.postMessage({
    channel: action.channel,
    text: card.text,
    blocks: card.blocks,
  });
  const where: PostedCard = { team, channel: String(posted.channel), ts: String(posted.ts) };
  const permalink = await client.chat.getPermalink({ channel: where.channel, message_ts: where.ts });
  await issues.linkExternalIssue(fired.issue.id, {
    key: cardKey(where),
    url: String(permalink.permalink),
    title: `Slack card in ${where.channel}`,
  });
  return where;
}
