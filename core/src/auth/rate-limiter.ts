import type { Knex } from 'knex';
import { RateLimitedError } from '../errors';

export interface RateLimitRule {
  /** Names the counter, e.g. `login:account`; buckets share the table, never their counts. */
  bucket: string;
  limit: number;
  windowSeconds: number;
  /** Sentence for the 429, e.g. "Too many sign-in attempts for this account". */
  message: string;
}

/** A counted hit; `release()` takes it back (e.g. a login attempt that turned out to succeed). */
export interface RateLimitHit {
  release(): Promise<void>;
}

/**
 * A sliding-window limiter kept in Postgres (`rate_limit_hits`), so every process behind a load
 * balancer shares the counts. Counting and recording a hit happen under a transaction-scoped
 * advisory lock on the bucket and key, so concurrent hits are let through exactly up to the limit,
 * whichever process they land on.
 */
export class RateLimiter {
  constructor(
    private readonly knex: Knex,
    readonly rule: RateLimitRule,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit for `key`; throws `RateLimitedError` (and counts nothing) when none is left. */
  async hit(key: string): Promise<RateLimitHit> {
    const now = this.now();
    const id = await this.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`${this.rule.bucket}\n${key}`]);
      const inWindow = await this.hitsInWindow(trx, key, now);
      if (inWindow.count >= this.rule.limit) throw this.limited(inWindow.oldest, now);
      // Old hits of this key go now; keys never hit again are swept by `prune`.
      await trx('rate_limit_hits')
        .where({ bucket: this.rule.bucket, key })
        .andWhere('created_at', '<=', this.windowStart(now))
        .delete();
      const [row] = await trx('rate_limit_hits')
        .insert({ bucket: this.rule.bucket, key, created_at: new Date(now) })
        .returning('id');
      return Number(row.id);
    });
    return {
      release: async () => {
        await this.knex('rate_limit_hits').where({ id }).delete();
      },
    };
  }

  /** Throws `RateLimitedError` when `key` has no hit left, without counting one. */
  async check(key: string): Promise<void> {
    const now = this.now();
    const inWindow = await this.hitsInWindow(this.knex, key, now);
    if (inWindow.count >= this.rule.limit) throw this.limited(inWindow.oldest, now);
  }

  /** Forgets every hit of `key` (e.g. an account's failures after a successful login). */
  async reset(key: string): Promise<void> {
    await this.knex('rate_limit_hits').where({ bucket: this.rule.bucket, key }).delete();
  }

  /** Deletes this bucket's hits that left the window; returns how many. */
  async prune(): Promise<number> {
    const deleted = await this.knex('rate_limit_hits')
      .where({ bucket: this.rule.bucket })
      .andWhere('created_at', '<=', this.windowStart(this.now()))
      .delete()
      .returning('id');
    return deleted.length;
  }

  private windowStart(now: number): Date {
    return new Date(now - this.rule.windowSeconds * 1000);
  }

  private async hitsInWindow(
    knex: Knex,
    key: string,
    now: number,
  ): Promise<{ count: number; oldest: Date | null }> {
    const row = await knex('rate_limit_hits')
      .where({ bucket: this.rule.bucket, key })
      .andWhere('created_at', '>', this.windowStart(now))
      .first(knex.raw('count(*)::int as count'), knex.raw('min(created_at) as oldest'));
    return { count: Number(row?.count ?? 0), oldest: row?.oldest ? new Date(row.oldest) : null };
  }

  /** Retry-After: when the oldest hit in the window leaves it and frees one slot. */
  private limited(oldest: Date | null, now: number): RateLimitedError {
    const freesAt = (oldest?.getTime() ?? now) + this.rule.windowSeconds * 1000;
    const seconds = Math.max(1, Math.ceil((freesAt - now) / 1000));
    return new RateLimitedError(`${this.rule.message}; try again in ${seconds} seconds`, seconds);
  }
}
