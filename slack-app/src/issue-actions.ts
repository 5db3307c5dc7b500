import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { FaultlineApiError, ok } from '@faultline/api-client';
import { CARD_ACTIONS } from '@faultline/extension-slack';
import { actionModal, inputOf, MODAL_CALLBACK, type InputSchema, type ModalContext } from './action-modal';
import type { CardUpdates } from './card-updates';
import { issueActions, drawCard } from './draw';
import { isNotLinked, type Faultline, type SlackUser } from './faultline';
import { tell } from './tell';

interface Deps {
  faultline: Faultline;
  updates: CardUpdates;
}

const ACTION_ID = new RegExp(`^${CARD_ACTIONS.issueAction}:([a-z0-9-]+):([a-z0-9-]+)$`);

/** Runs the action as the linked person, tells them the result and rebuilds the card. */
async function run(
  deps: Deps,
  client: WebClient,
  who: SlackUser,
  context: ModalContext,
  label: string,
  input: unknown,
) {
  try {
    const result = await ok(
      deps.faultline.as(who).POST('/api/0/issues/{issue}/actions/{plugin}/{action}/', {
        params: { path: { issue: context.issueId, plugin: context.plugin, action: context.action } },
        body: { input: input as Record<string, never> },
      }),
    );
    await tell(
      client,
      context.channel,
      who,
      result.url ? `${result.message}: <${result.url}>` : result.message,
    );
  } catch (error) {
    if (isNotLinked(error))
      return tell(
        client,
        context.channel,
        who,
        `Connect your Faultline account first: <${await deps.faultline.linkUrl(who)}|link your account>.`,
      );
    if (error instanceof FaultlineApiError)
      return tell(client, context.channel, who, `${label} failed: ${error.detail}`);
    throw error;
  }
  if (context.ts) {
    const lastAction = `${label} by <@${who.user}> from Slack`;
    await deps.updates.request({ team: who.team, channel: context.channel, ts: context.ts }, () =>
      drawCard(deps.faultline, context.issueId, lastAction),
    );
  }
}

/**
 * The plugins' issue actions on a card: a button per action; an action with input opens a modal
 * drawn from its JSON Schema, and its submission runs the action as the linked person (the modal
 * closes at once; the result is told to them alone and the card rebuilt).
 */
export function registerIssueActions(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(ACTION_ID, async ({ ack, body, action, client }) => {
    await ack();
    const [, plugin, id] = ACTION_ID.exec(action.action_id) ?? [];
    const who: SlackUser = { team: body.team?.id ?? body.user.team_id ?? '', user: body.user.id };
    const context: ModalContext = {
      issueId: action.value ?? '',
      plugin,
      action: id,
      channel: body.channel?.id ?? body.container.channel_id,
      ts: body.container.is_ephemeral ? undefined : (body.message?.ts ?? body.container.message_ts),
    };
    const offered = (await issueActions(deps.faultline, context.issueId)).find(
      (candidate) => candidate.plugin === plugin && candidate.id === id,
    );
    if (!offered)
      return tell(client, context.channel, who, 'That action is no longer offered for this issue.');
    const schema = offered.inputSchema as InputSchema;
    if (Object.keys(schema.properties ?? {}).length === 0)
      return run(deps, client, who, context, offered.label, {});
    await client.views.open({
      trigger_id: body.trigger_id,
      view: actionModal(offered.label, schema, context) as never,
    });
  });

  app.view(MODAL_CALLBACK, async ({ ack, body, view, client }) => {
    await ack();
    const context = JSON.parse(view.private_metadata) as ModalContext;
    const who: SlackUser = { team: body.team?.id ?? body.user.team_id ?? '', user: body.user.id };
    const offered = (await issueActions(deps.faultline, context.issueId)).find(
      (candidate) => candidate.plugin === context.plugin && candidate.id === context.action,
    );
    if (!offered)
      return tell(client, context.channel, who, 'That action is no longer offered for this issue.');
    const input = inputOf(offered.inputSchema as InputSchema, view.state.values as never);
    await run(deps, client, who, context, offered.label, input);
  });
}
