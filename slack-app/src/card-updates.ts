import type { PostedCard, SlackMessage } from '@faultline/extension-slack';

export type UpdateCard = (card: PostedCard, message: SlackMessage) => Promise<void>;

/**
 * Card updates, one at a time per card, latest state wins: while an update of a card is under way
 * (Slack may make it wait out a 429's Retry-After), further requests for it are merged into one that
 * runs after it and renders the issue as it is then. So no update is lost and an older state never
 * overwrites a newer one, however the calls' answers interleave.
 */
export class CardUpdates {
  private readonly running = new Map<
    string,
    { again: (() => Promise<SlackMessage>) | undefined; done: Promise<void> }
  >();

  constructor(
    private readonly update: UpdateCard,
    private readonly onError: (error: unknown, card: PostedCard) => void,
  ) {}

  /** Renders (at the time the update runs) and updates the card; resolves once it shows that state or newer. */
  request(card: PostedCard, render: () => Promise<SlackMessage>): Promise<void> {
    const key = `${card.team}:${card.channel}:${card.ts}`;
    const current = this.running.get(key);
    if (current) {
      current.again = render;
      return current.done;
    }
    const entry = { again: undefined as (() => Promise<SlackMessage>) | undefined, done: Promise.resolve() };
    entry.done = (async () => {
      let next: (() => Promise<SlackMessage>) | undefined = render;
      while (next) {
        entry.again = undefined;
        try {
          await this.update(card, await next());
        } catch (error) {
          this.onError(error, card);
        }
        next = entry.again;
      }
      this.running.delete(key);
    })();
    this.running.set(key, entry);
    return entry.done;
  }

  /** Resolves when every update asked for so far is done. */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((entry) => entry.done));
  }
}
