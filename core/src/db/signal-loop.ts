import type { Knex } from 'knex';
import { signalsOf, type Signal } from './signals';

/** What a round found: a full batch (run again at once), some work, or nothing. */
export type RoundOutcome = 'more' | 'some' | 'none';

export interface SignalLoopOptions {
  knex: Knex;
  /** Signals (of the database of `knex`) that make it look now. */
  wakeOn: Signal[];
  round: () => Promise<RoundOutcome>;
  onError: (err: unknown) => void;
  /** The safety net: how often it looks with nothing announced (default 30 s). */
  idleMs?: number;
  /** Gap between rounds while active (default 250 ms). */
  activeMs?: number;
  /**
   * How long it stays active after a wake-up or a round with work (default 2 s): a change announced
   * while an older transaction is still open is readable only once that one ends, which announces
   * nothing if it wrote no change.
   */
  activeForMs?: number;
}

/**
 * A background consumer that runs when there is something to do: rounds follow each other while
 * they find work, every `activeMs` for a short while after a signal or some work, and every
 * `idleMs` otherwise. Without signals (a database opened elsewhere) it stays active all the time,
 * which is the plain poll.
 */
export class SignalLoop {
  private stopped = true;
  private loop: Promise<void> | undefined;
  private activeUntil = 0;
  private lastRoundAt = 0;
  private sleeping: { deadline: number; timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private unsubscribe: (() => void)[] = [];
  private readonly idleMs: number;
  private readonly activeMs: number;
  private readonly activeForMs: number;

  constructor(private readonly options: SignalLoopOptions) {
    this.activeMs = options.activeMs ?? 250;
    this.activeForMs = options.activeForMs ?? 2000;
    const signals = signalsOf(options.knex);
    this.idleMs = signals ? (options.idleMs ?? 30_000) : this.activeMs;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const signals = signalsOf(this.options.knex);
    if (signals) this.unsubscribe = this.options.wakeOn.map((s) => signals.on(s, () => this.wake()));
    this.activeUntil = Date.now() + this.activeForMs;
    this.loop = this.run();
  }

  /** Look now (or as soon as `activeMs` has passed since the last round), and stay active a while. */
  wake(): void {
    const now = Date.now();
    this.activeUntil = now + this.activeForMs;
    const sleeping = this.sleeping;
    if (!sleeping) return;
    const at = Math.max(now, this.lastRoundAt + this.activeMs);
    if (at >= sleeping.deadline) return;
    clearTimeout(sleeping.timer);
    sleeping.deadline = at;
    sleeping.timer = setTimeout(sleeping.resolve, at - now);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe.splice(0).forEach((off) => off());
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.resolve();
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let outcome: RoundOutcome;
      let failed = false;
      try {
        outcome = await this.options.round();
      } catch (err) {
        this.options.onError(err);
        outcome = 'none';
        failed = true;
      }
      this.lastRoundAt = Date.now();
      if (this.stopped) return;
      if (outcome !== 'none') this.activeUntil = this.lastRoundAt + this.activeForMs;
      if (outcome === 'more') continue;
      const active = this.lastRoundAt < this.activeUntil;
      await this.sleep(failed ? Math.max(1000, this.activeMs) : active ? this.activeMs : this.idleMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { deadline: Date.now() + ms, timer: setTimeout(done, ms), resolve: done };
    });
  }
}
