import type { App, RespondFn, SlashCommand } from '@slack/bolt';
import { FaultlineApiError, ok } from '@faultline/api-client';
import { buildCard } from '@faultline/extension-slack';
import { isNotLinked, type Faultline, type SlackUser } from './faultline';
import { cardIssueOf } from './render';

/** Search results shown at once; each is a compact card with its buttons (50 blocks per message). */
const SEARCH_RESULTS = 5;

export const HELP = [
  '*/faultline* commands:',
  '• `search <query>`: issues matching the query (e.g. `is:unresolved level:error checkout`), with their buttons',
  '• `link`: connect your Slack account to your Faultline account, so the buttons act as you',
  '• `unlink`: disconnect it',
  '• `subscribe <project> [query]`: post the project’s new and regressed issues to this channel (only those matching the query, in the search syntax, when given)',
  '• `help`: this message',
].join('\n');

interface CommandDeps {
  faultline: Faultline;
}

/** Only the person who typed the command sees the answer (Slack's default for a response). */
const ephemeral = (respond: RespondFn, text: string, blocks?: unknown[]) =>
  respond({ response_type: 'ephemeral', text, ...(blocks ? { blocks: blocks as never } : {}) });

async function connectText(deps: CommandDeps, who: SlackUser): Promise<string> {
  const url = await deps.faultline.linkUrl(who);
  return `Open <${url}|this link> signed in to Faultline to connect your account (it works once, for 10 minutes).`;
}

async function search(deps: CommandDeps, who: SlackUser, query: string, respond: RespondFn): Promise<void> {
  const issues = await ok(
    deps.faultline.as(who).GET('/api/0/organizations/{organization}/issues/', {
      params: {
        path: { organization: deps.faultline.organization },
        query: { query, limit: SEARCH_RESULTS },
      },
    }),
  );
  if (issues.length === 0) return void (await ephemeral(respond, `No issues match \`${query}\`.`));
  // Compact: the card without its fields, buttons kept.
  const blocks = issues.flatMap((issue) => [
    ...buildCard(cardIssueOf(issue)).blocks.filter((block) => !('fields' in block)),
    { type: 'divider' },
  ]);
  await ephemeral(respond, `${issues.length} issues match ${query}`, blocks.slice(0, 50));
}

/**
 * An alert rule, made as the person, posting the project's new and regressed issues to the channel;
 * with a query, only those matching it (the rules' `query` filter: a query the search parser can't
 * read is refused by the API, and its message told to the person).
 */
async function subscribe(
  deps: CommandDeps,
  who: SlackUser,
  command: SlashCommand,
  project: string,
  query: string,
  respond: RespondFn,
) {
  await ok(
    deps.faultline.as(who).POST('/api/0/projects/{organization}/{project}/rules/', {
      params: { path: { organization: deps.faultline.organization, project } },
      body: {
        name: query
          ? `Slack #${command.channel_name}: ${query}`.slice(0, 200)
          : `Slack #${command.channel_name}`,
        actionMatch: 'any',
        conditions: [{ id: 'issue.created' }, { id: 'issue.regressed' }],
        filters: query ? [{ id: 'query', query }] : [],
        actions: [{ plugin: 'slack', config: { channel: command.channel_id } }],
        frequency: 30,
      },
    }),
  );
  const which = query ? `issues of ${project} matching \`${query}\`` : `issues of ${project}`;
  await ephemeral(respond, `Subscribed: new and regressed ${which} will be posted here.`);
}

/**
 * `/faultline search|link|unlink|subscribe|help`. Acknowledged at once; the answer follows through
 * the command's response URL, seen only by the person who typed it. What a person asks for runs as
 * their linked Faultline user; without a link they get the link to connect.
 */
export function registerCommands(app: App, deps: CommandDeps): void {
  app.command('/faultline', async ({ ack, command, respond }) => {
    await ack();
    const who: SlackUser = { team: command.team_id, user: command.user_id };
    const [verb = 'help', ...rest] = command.text.trim().split(/\s+/).filter(Boolean);
    const argument = rest.join(' ');
    try {
      switch (verb) {
        case 'link':
          return void (await ephemeral(respond, await connectText(deps, who)));
        case 'unlink':
          await ok(
            deps.faultline.app.DELETE('/api/0/organizations/{organization}/external-identities/', {
              params: { path: { organization: deps.faultline.organization } },
              body: { externalWorkspaceId: who.team, externalUserId: who.user },
            }),
          );
          return void (await ephemeral(respond, 'Your Slack account is no longer linked to Faultline.'));
        case 'search':
          return await search(deps, who, argument, respond);
        case 'subscribe':
          if (!argument)
            return void (await ephemeral(respond, 'Which project? `/faultline subscribe <project> [query]`'));
          return await subscribe(deps, who, command, rest[0], rest.slice(1).join(' '), respond);
        default:
          return void (await ephemeral(respond, HELP));
      }
    } catch (error) {
      if (isNotLinked(error)) return void (await ephemeral(respond, await connectText(deps, who)));
      if (error instanceof FaultlineApiError)
        return void (await ephemeral(respond, `Faultline refused: ${error.detail}`));
      throw error;
    }
  });
}
