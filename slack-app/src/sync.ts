import type { WebClient } from '@slack/web-api';
import {
  CursorExpiredError,
  openChangeStream,
  type ChangeEvent,
  type ChangeStream,
} from '@faultline/api-client';
import type { CardUpdates } from './card-updates';
import type { Faultline } from './faultline';
import { drawCard } from './draw';
import { retried, type Log } from './retry';

/** The changes a card shows; counted events are left to the next of these (a card is not a live counter). */
const SHOWN = new Set<ChangeEvent['kind']>(['state_changed', 'assigned', 'commented', 'regressed']);

const VERB: Partial<Record<ChangeEvent['kind'], string>> = {
  assigned: 'Assignment changed',
  commented: 'Commented',
  regressed: 'Regressed',
};

function lastActionOf(change: ChangeEvent): string {
  const to = (change.data as { to?: { status?: unknown } }).to?.status;
  const what =
    change.kind === 'state_changed'
      ? (({ resolved: 'Resolved', unresolved: 'Unresolved', ignored: 'Archived' } as Record<string, string>)[
          String(to)
        ] ?? 'Status changed')
      : (VERB[change.kind] ?? change.kind);
  return change.surface === 'pipeline' ? `${what} (new events)` : `${what} through ${change.surface}`;
}

export interface CardSyncDeps {
  faultline: Faultline;
  updates: CardUpdates;
  /** The Web API client, for thread replies (with the workspace's token). */
  client: WebClient;
  /** The bot token of a workspace this app serves; undefined for the others, whose cards are left alone. */
  tokenFor(team: string): Promise<string | undefined>;
  log: Log;
}

/**
 * Card sync: follows the organization's change stream and rebuilds every posted card of a changed
 * issue in place (a regression also gets a thread reply). The stream resumes from the cursor kept
 * in Faultline (the integration cursor route), so changes made while the app was down, wherever it
 * runs, are brought to the cards when it comes back; the cursor moves only after a change's cards
 * were updated (nothing missed).
 */
export async function startCardSync(deps: CardSyncDeps): Promise<{ stop(): Promise<void> }> {
  let stream: ChangeStream | undefined;
  let stopped = false;
  const wake = new AbortController();
  const run = async () => {
    let lastEventId = await retried(
      deps.log,
      'reading the card sync cursor',
      () => deps.faultline.cursor(),
      wake,
    );
    let savedAt = Date.now();
    while (!stopped) {
      stream = openChangeStream({
        baseUrl: deps.faultline.baseUrl,
        token: deps.faultline.token,
        organization: deps.faultline.organization,
        lastEventId,
        backoff: { initialMs: 200, maxMs: 5000 },
      });
      try {
        for await (const change of stream) {
          const shown = SHOWN.has(change.kind);
          if (shown)
            // One change that can't be shown (its issue deleted since) must not stop the others.
            await apply(deps, change).catch((error: unknown) =>
              deps.log('card sync skipped a change', { change: change.id, error: String(error) }),
            );
          lastEventId = stream.lastEventId;
          // Saved after every change a card showed; past the others (replaying them does nothing)
          // only now and then, so counting events doesn't cost a request each.
          if (lastEventId !== undefined && (shown || Date.now() - savedAt > SAVE_EVERY_MS)) {
            savedAt = Date.now();
            await deps.faultline
              .saveCursor(lastEventId)
              .catch((error: unknown) => deps.log('card sync cursor not saved', { error: String(error) }));
          }
        }
      } catch (error) {
        if (stopped) return;
        if (!(error instanceof CursorExpiredError)) throw error;
        // Past retention: nothing to catch up from; follow from now on.
        deps.log('change stream cursor expired; following from now', {});
        lastEventId = undefined;
      }
    }
  };
  const running = run().catch((error: unknown) => {
    if (!stopped) deps.log('card sync stopped', { error: String(error) });
  });
  return {
    async stop() {
      stopped = true;
      wake.abort();
      stream?.close();
      await running;
      await deps.updates.idle();
    },
  };
}

/** How often the cursor is saved while only changes no card shows go by. */
const SAVE_EVERY_MS = 5000;

async function apply(deps: CardSyncDeps, change: ChangeEvent): Promise<void> {
  const cards = await deps.faultline.cards(change.issueId);
  if (cards.length === 0) return;
  const lastAction = lastActionOf(change);
  await Promise.all(
    cards.map(async (card) => {
      // The update reads the workspace's token and leaves the cards of workspaces this app doesn't
      // serve alone (the card updates in app.ts); only a regression's thread reply needs it here too.
      await deps.updates.request(card, () => drawCard(deps.faultline, change.issueId, lastAction));
      if (change.kind !== 'regressed') return;
      const token = await deps.tokenFor(card.team);
      if (token !== undefined)
        await deps.client.chat.postMessage({
          token,
          channel: card.channel,
          thread_ts: card.ts,
          text: 'Regressed: new events after it was resolved.',
        });
    }),
  );
}
