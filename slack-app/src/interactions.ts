import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { FaultlineApiError, ok } from '@faultline/api-client';
import { CARD_ACTIONS, type PostedCard } from '@faultline/extension-slack';
import type { CardUpdates } from './card-updates';
import { isNotLinked, type Faultline, type SlackUser } from './faultline';
import { tell } from './tell';
import { drawCard } from './draw';

export interface InteractionDeps {
  faultline: Faultline;
  updates: CardUpdates;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** A change a person asks for from a card, as the API's issue update takes it. */
type IssueChange = { status: 'resolved' | 'unresolved' | 'ignored' } | { assignedTo: string | null };

const DONE: Record<string, string> = { resolved: 'Resolved', unresolved: 'Unresolved', ignored: 'Archived' };

function describe(change: IssueChange, who: SlackUser): string {
  const what = 'status' in change ? DONE[change.status] : change.assignedTo ? 'Assigned' : 'Unassigned';
  return `${what} by <@${who.user}> from Slack`;
}

/**
 * Does what a person clicked on a card, as them: the update goes through the API with
 * `X-Faultline-Act-As`, so their role and teams decide and the change is recorded as theirs through
 * `slack`. The card is then rebuilt in place, saying who did what. An unlinked person gets a link
 * to connect their account; a refusal (no permission, issue deleted) is told to them alone.
 */
async function act(
  deps: InteractionDeps,
  body: BlockAction,
  client: WebClient,
  issueId: string,
  change: IssueChange,
) {
  const who: SlackUser = { team: body.team?.id ?? body.user.team_id ?? '', user: body.user.id };
  const channel = body.channel?.id ?? body.container.channel_id;
  const ts = body.message?.ts ?? body.container.message_ts;
  try {
    await ok(
      deps.faultline.as(who).PUT('/api/0/issues/{issue}/', {
        params: { path: { issue: issueId } },
        body: change,
      }),
    );
  } catch (error) {
    if (isNotLinked(error)) {
      const url = await deps.faultline.linkUrl(who);
      await tell(
        client,
        channel,
        who,
        `Connect your Faultline account first, then try again: <${url}|link your account> (the link works once, for 10 minutes).`,
      );
      return;
    }
    if (error instanceof FaultlineApiError && error.status === 404) {
      await tell(client, channel, who, `This issue no longer exists in Faultline (or you can't see it).`);
      return;
    }
    if (error instanceof FaultlineApiError && error.status === 403) {
      await tell(client, channel, who, `Faultline refused: ${error.detail}`);
      return;
    }
    throw error;
  }
  // Search results are ephemeral: Slack can't update them in place, and nobody else sees them.
  if (!ts || body.container.is_ephemeral) return;
  const card: PostedCard = { team: who.team, channel, ts };
  const lastAction = describe(change, who);
  await deps.updates.request(card, () => drawCard(deps.faultline, issueId, lastAction));
}

/** The card's buttons and select: acknowledged at once (Slack wants it within 3 s), the work after. */
export function registerInteractions(app: App, deps: InteractionDeps): void {
  const onButton =
    (change: (issueId: string) => IssueChange) =>
    async ({
      ack,
      body,
      action,
      client,
    }: {
      ack: () => Promise<void>;
      body: BlockAction;
      action: ButtonAction;
      client: WebClient;
    }) => {
      await ack();
      await act(deps, body, client, action.value ?? '', change(action.value ?? ''));
    };
  app.action<BlockAction<ButtonAction>>(
    CARD_ACTIONS.resolve,
    onButton(() => ({ status: 'resolved' })),
  );
  app.action<BlockAction<ButtonAction>>(
    CARD_ACTIONS.unresolve,
    onButton(() => ({ status: 'unresolved' })),
  );
  app.action<BlockAction<ButtonAction>>(
    CARD_ACTIONS.archive,
    onButton(() => ({ status: 'ignored' })),
  );
  app.action<BlockAction<StaticSelectAction>>(CARD_ACTIONS.assign, async ({ ack, body, action, client }) => {
    await ack();
    const [issueId, assignee] = action.selected_option.value.split('|');
    await act(deps, body, client, issueId, { assignedTo: assignee || null });
  });
  // Links open in the browser; Slack still sends the click, which needs only its ack.
  for (const id of [CARD_ACTIONS.open, CARD_ACTIONS.openVscode])
    app.action(id, async ({ ack }) => {
      await ack();
    });
  app.error(async (error) => {
    deps.log('slack handler failed', { error: String(error) });
  });
}
