import type { App } from '@slack/bolt';
import { ok } from '@faultline/api-client';
import { BLOCK_KIT, mrkdwn, trim, type Block } from '@faultline/extension-slack';
import { isNotLinked, type Faultline, type Issue, type SlackUser } from './faultline';

/** Issues listed on the App Home (a home view holds up to 100 blocks). */
const HOME_ISSUES = 20;

const line = (issue: Issue) =>
  `*<${issue.permalink}|${mrkdwn(issue.shortId, 100)}>* ${mrkdwn(issue.title, 300)} · ${issue.count} events`;

/** The issue id in a link to one of this Faultline's issue pages, or undefined for any other link. */
export function issueIdOfLink(faultlineUrl: string, url: string): string | undefined {
  const base = faultlineUrl.replace(/\/+$/, '');
  if (!url.startsWith(`${base}/`)) return undefined;
  return /\/organizations\/[^/]+\/issues\/(\d+)\/?(?:[?#].*)?$/.exec(url.slice(base.length))?.[1];
}

async function homeBlocks(faultline: Faultline, who: SlackUser): Promise<Block[]> {
  try {
    const issues = await ok(
      faultline.as(who).GET('/api/0/organizations/{organization}/issues/', {
        params: {
          path: { organization: faultline.organization },
          query: { query: 'is:unresolved assigned:me', limit: HOME_ISSUES },
        },
      }),
    );
    const list: Block[] = issues.map((issue) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: trim(line(issue), BLOCK_KIT.sectionText) },
    }));
    return [
      { type: 'header', text: { type: 'plain_text', text: 'Assigned to you, unresolved' } },
      ...(list.length > 0 ? list : [{ type: 'section', text: { type: 'mrkdwn', text: 'Nothing. :tada:' } }]),
      { type: 'divider' },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `Linked to your Faultline account in *${faultline.organization}*.` },
        ],
      },
    ];
  } catch (error) {
    if (!isNotLinked(error)) throw error;
    const url = await faultline.linkUrl(who);
    return [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Your Slack account isn't linked to Faultline yet. <${url}|Link your account> (the link works once, for 10 minutes), then open this tab again.`,
        },
      },
    ];
  }
}

/**
 * App Home (the person's assigned unresolved issues and their linked account) and link unfurls
 * (a Faultline issue link posted in a channel becomes a compact card). Both read as the Slack user
 * concerned: an unfurl shows only what the person who posted the link may see, so a link can't
 * make the app reveal an issue of a project they can't read.
 */
export function registerEvents(app: App, faultline: Faultline): void {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const who: SlackUser = { team: body.team_id, user: event.user };
    const blocks = await homeBlocks(faultline, who);
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: blocks as never } });
  });

  app.event('link_shared', async ({ event, body, client }) => {
    const who: SlackUser = { team: body.team_id, user: event.user };
    const unfurls: Record<string, { blocks: Block[] }> = {};
    for (const link of event.links) {
      const issueId = issueIdOfLink(faultline.baseUrl, link.url);
      if (!issueId) continue;
      const issue = await ok(
        faultline.as(who).GET('/api/0/issues/{issue}/', { params: { path: { issue: issueId } } }),
      ).catch(() => undefined);
      if (!issue) continue;
      unfurls[link.url] = {
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: trim(line(issue), BLOCK_KIT.sectionText) } },
          {
            type: 'context',
            elements: [
              { type: 'mrkdwn', text: `${issue.level} · ${issue.status} · ${issue.userCount} users` },
            ],
          },
        ],
      };
    }
    if (Object.keys(unfurls).length === 0) return;
    await client.chat.unfurl({ channel: event.channel, ts: event.message_ts, unfurls: unfurls as never });
  });
}
