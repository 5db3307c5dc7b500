import { BLOCK_KIT, mrkdwn, trim } from './limits';

/**
 * What a card shows of an issue. Neutral of where it came from: the plugin fills it from an alert,
 * the Slack app from the REST API, so one builder draws every card and a rebuilt card matches.
 */
export interface CardIssue {
  id: string;
  shortId: string;
  title: string;
  culprit: string | null;
  level: string;
  status: 'unresolved' | 'resolved' | 'ignored';
  count: number;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  permalink: string;
  message?: string;
  environment?: string;
  release?: string;
  /** Who it is assigned to, as display text (a name, a team). */
  assignee?: string | null;
}

/** An issue action a plugin offers (issue actions API): a button opening its form. */
export interface CardAction {
  plugin: string;
  id: string;
  label: string;
}

/** A person or team the issue may be assigned to: `value` is what the API's `assignedTo` takes. */
export interface CardAssignee {
  label: string;
  value: string;
}

export interface CardContext {
  /** The rule that fired and why, e.g. `Page on new issues` / `New issue`. */
  rule?: { name: string; reason: string };
  /** Slack user or group ids to mention (`U…`, `S…`), or `here` / `channel`. */
  mentions?: string[];
  notes?: string;
  /** The last thing done to the issue, e.g. `Resolved by <@U1> from Slack`: already mrkdwn. */
  lastAction?: string;
  actions?: CardAction[];
  assignees?: CardAssignee[];
  /** `vscode://…` link opening the issue in VS Code, when the installation has one. */
  vscodeUrl?: string;
}

/** The action ids the Slack app answers; the issue id travels in the element's value. */
export const CARD_ACTIONS = {
  resolve: 'faultline_resolve',
  unresolve: 'faultline_unresolve',
  archive: 'faultline_archive',
  assign: 'faultline_assign',
  /** Followed by `:<plugin>:<action>`. */
  issueAction: 'faultline_action',
  open: 'faultline_open',
  openVscode: 'faultline_open_vscode',
} as const;

const LEVEL_EMOJI: Record<string, string> = {
  fatal: ':red_circle:',
  error: ':large_orange_circle:',
  warning: ':large_yellow_circle:',
  info: ':large_blue_circle:',
  debug: ':white_circle:',
};

const STATUS_TEXT = { unresolved: 'Unresolved', resolved: 'Resolved', ignored: 'Archived' } as const;

// Slack's date token renders in the reader's time zone; the text after `|` is the fallback.
const slackDate = (iso: string) =>
  `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${iso}>`;

/** A Block Kit block or element as Slack's API takes it (the builder keeps to the known shapes). */
export type Block = { type: string; block_id?: string; [field: string]: unknown };

const plain = (text: string, max: number) => ({ type: 'plain_text', text: trim(text, max), emoji: true });

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Block {
  return {
    type: 'button',
    text: plain(text, BLOCK_KIT.buttonText),
    action_id: trim(actionId, BLOCK_KIT.actionId),
    value: trim(value, BLOCK_KIT.buttonValue),
    ...(style ? { style } : {}),
  };
}

function mentionText(mentions: string[]): string {
  return mentions
    .map((id) =>
      id === 'here' || id === 'channel' ? `<!${id}>` : id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`,
    )
    .join(' ');
}

function fields(issue: CardIssue): Block[] {
  const pairs: [string, string | undefined][] = [
    ['Events', String(issue.count)],
    ['Users', String(issue.userCount)],
    ['First seen', slackDate(issue.firstSeen)],
    ['Last seen', slackDate(issue.lastSeen)],
    ['Environment', issue.environment && mrkdwn(issue.environment, 200)],
    ['Release', issue.release && mrkdwn(issue.release, 200)],
    ['Status', STATUS_TEXT[issue.status]],
    ['Assignee', issue.assignee ? mrkdwn(issue.assignee, 200) : undefined],
  ];
  return pairs
    .filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '')
    .slice(0, BLOCK_KIT.sectionFields)
    .map(([label, value]) => ({ type: 'mrkdwn', text: trim(`*${label}*\n${value}`, BLOCK_KIT.fieldText) }));
}

function actionBlocks(issue: CardIssue, context: CardContext): Block[] {
  const primary: Block[] = [];
  if (issue.status === 'unresolved') {
    primary.push(button('Resolve', CARD_ACTIONS.resolve, issue.id, 'primary'));
    primary.push(button('Archive', CARD_ACTIONS.archive, issue.id));
  } else {
    primary.push(button('Unresolve', CARD_ACTIONS.unresolve, issue.id));
  }
  const assignees = context.assignees ?? [];
  if (assignees.length > 0)
    primary.push({
      type: 'static_select',
      action_id: CARD_ACTIONS.assign,
      placeholder: plain('Assign…', BLOCK_KIT.placeholderText),
      options: assignees.slice(0, BLOCK_KIT.optionsPerSelect).map((assignee) => ({
        text: plain(assignee.label, BLOCK_KIT.optionText),
        value: trim(`${issue.id}|${assignee.value}`, BLOCK_KIT.optionValue),
      })),
    });
  const plugins = (context.actions ?? []).map((action) =>
    button(action.label, `${CARD_ACTIONS.issueAction}:${action.plugin}:${action.id}`, issue.id),
  );
  const links: Block[] = [
    {
      ...button('Open in browser', CARD_ACTIONS.open, issue.id),
      url: trim(issue.permalink, BLOCK_KIT.buttonUrl),
    },
  ];
  if (context.vscodeUrl && context.vscodeUrl.length <= BLOCK_KIT.buttonUrl)
    links.push({ ...button('Open in VS Code', CARD_ACTIONS.openVscode, issue.id), url: context.vscodeUrl });
  // One actions block holds at most 25 elements; more plugin actions spill into further blocks.
  const elements = [...primary, ...plugins, ...links];
  const blocks: Block[] = [];
  for (let i = 0; i < elements.length; i += BLOCK_KIT.elementsPerActions)
    blocks.push({
      type: 'actions',
      block_id: `faultline_actions_${i / BLOCK_KIT.elementsPerActions}`,
      elements: elements.slice(i, i + BLOCK_KIT.elementsPerActions),
    });
  return blocks;
}

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * The alert card: level, linked title, culprit, message excerpt, counts, first/last seen,
 * environment, release, short id, the rule that fired, who did what last, and the buttons. Every
 * text is escaped and trimmed to its Block Kit limit, and the blocks are capped, so Slack never
 * refuses a card whatever an issue holds.
 */
export function buildCard(issue: CardIssue, context: CardContext = {}): SlackMessage {
  const emoji = LEVEL_EMOJI[issue.level] ?? ':white_circle:';
  const title = `<${issue.permalink}|${mrkdwn(issue.title, 300)}>`;
  const blocks: Block[] = [];
  if ((context.mentions ?? []).length > 0 || context.notes)
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: trim(
          [mentionText(context.mentions ?? []), context.notes ? mrkdwn(context.notes, 1000) : '']
            .filter(Boolean)
            .join(' '),
          BLOCK_KIT.sectionText,
        ),
      },
    });
  const headline = [
    `${emoji} *${title}*`,
    issue.culprit ? `\`${mrkdwn(issue.culprit, 500)}\`` : '',
    issue.message && issue.message !== issue.title
      ? `>${mrkdwn(issue.message, 700).replace(/\n/g, '\n>')}`
      : '',
  ].filter(Boolean);
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: trim(headline.join('\n'), BLOCK_KIT.sectionText) },
  });
  blocks.push({ type: 'section', fields: fields(issue) });
  const about = [
    `*${mrkdwn(issue.shortId, 100)}* · ${issue.level}`,
    context.rule ? `Rule *${mrkdwn(context.rule.name, 200)}*: ${mrkdwn(context.rule.reason, 300)}` : '',
    context.lastAction ? trim(context.lastAction, 500) : '',
  ].filter(Boolean);
  blocks.push({
    type: 'context',
    elements: about
      .slice(0, BLOCK_KIT.contextElements)
      .map((text) => ({ type: 'mrkdwn', text: trim(text, BLOCK_KIT.contextText) })),
  });
  blocks.push(...actionBlocks(issue, context));
  const text = trim(`[${issue.shortId}] ${STATUS_TEXT[issue.status]}: ${issue.title}`, BLOCK_KIT.messageText);
  return { text, blocks: blocks.slice(0, BLOCK_KIT.blocksPerMessage) };
}
