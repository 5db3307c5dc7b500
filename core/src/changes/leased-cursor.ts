import type { Knex } from 'knex';
import { parseCursor, type ChangeCursor } from './cursor';
import type { IssueChangeRecord } from './kinds';
import { currentChangeCursor, readChangesAfter } from './read';

/** Where a consumer's cursor row lives: a table with `txid`, `change_id`, `lease_owner`, `leased_until`. */
export interface LeasedCursorRow {
  table: string;
  keyColumn: string;
  key: string;
}

/**
 * The work of one round over a batch of changes, run in the transaction that advances the cursor;
 * it may return extra cursor-row columns to set with the advance.
 */
export type RoundWork = (trx: Knex.Transaction) => Promise<Record<string, unknown> | void>;

/** Thrown inside a round's transaction when the lease was lost, to roll the round back. */
class LeaseLost extends Error {}

/**
 * A durable position in the change outbox for one consumer (a plugin's hooks, the alert evaluator),
 * leased by one process at a time: claimed with FOR UPDATE SKIP LOCKED in a short transaction, and
 * every advance is checked against the lease, so each change is handled by one process only.
 */
export class LeasedCursor {
  constructor(
    private readonly knex: Knex,
    private readonly row: LeasedCursorRow,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {}

  /** Creates the cursor at "now" if missing: a new consumer sees changes from its first start on. */
  static async ensureAll(knex: Knex, table: string, keyColumn: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const now = await currentChangeCursor(knex);
    await knex(table)
      .insert(keys.map((key) => ({ [keyColumn]: key, txid: now.txid, change_id: now.id })))
      .onConflict(keyColumn)
      .ignore();
  }

  /** Takes (or renews) the lease; undefined when another live process holds it. */
  async claim(): Promise<ChangeCursor | undefined> {
    const { table, keyColumn, key } = this.row;
    return this.knex.transaction(async (trx) => {
      const row = await trx(table)
        .where(keyColumn, key)
        .andWhere((q) =>
          q
            .whereNull('leased_until')
            .orWhere('leased_until', '<', trx.fn.now())
            .orWhere('lease_owner', this.owner),
        )
        .forUpdate()
        .skipLocked()
        .first<{ txid: string; change_id: string } | undefined>(
          trx.raw('txid::text AS txid'),
          trx.raw('change_id::text AS change_id'),
        );
      if (!row) return undefined;
      await trx(table)
        .where(keyColumn, key)
        .update({ lease_owner: this.owner, leased_until: this.leaseEnd(trx) });
      return { txid: row.txid, id: row.change_id };
    });
  }

  /**
   * Whether the outbox holds a deliverable change after this cursor: one read-only query, so an idle
   * consumer's safety poll neither takes the lease nor writes anything.
   */
  async hasNew(): Promise<boolean> {
    const { table, keyColumn, key } = this.row;
    const { rows } = await this.knex.raw<{ rows: { found: boolean }[] }>(
      `SELECT EXISTS (
         SELECT 1 FROM issue_changes c JOIN ?? k ON k.?? = ?
          WHERE (c.txid, c.id) > (k.txid, k.change_id)
            AND c.txid < pg_snapshot_xmin(pg_current_snapshot())
       ) AS found`,
      [table, keyColumn, key],
    );
    return rows[0].found;
  }

  /**
   * Moves the cursor to "now" without reading the changes, if `idle` (an SQL condition, checked in
   * the same statement) holds and no other process holds the lease: for a consumer that has nothing
   * to do with them (no rule, no plugin turned on), so that it neither reads them nor, once it has
   * work, starts with a backlog it never needed. The position is taken before the condition is
   * checked, so whatever commits once the condition stops holding (a rule created) comes after it.
   * Returns whether it moved.
   */
  async skipToNow(idle: Knex.Raw): Promise<boolean> {
    const { table, keyColumn, key } = this.row;
    const now = await currentChangeCursor(this.knex);
    const moved = await this.knex(table)
      .where(keyColumn, key)
      .andWhere((q) =>
        q
          .whereNull('leased_until')
          .orWhere('leased_until', '<', this.knex.fn.now())
          .orWhere('lease_owner', this.owner),
      )
      .andWhereRaw('(txid, change_id) < (?::xid8, ?::bigint)', [now.txid, now.id])
      .andWhere(idle)
      .update({
        txid: this.knex.raw('?::xid8', [now.txid]),
        change_id: now.id,
        updated_at: this.knex.fn.now(),
      });
    return moved === 1;
  }

  /**
   * Moves the cursor to `cursor` (an outbox record's cursor) and renews the lease, with `extra`
   * columns, in `executor` (a transaction, to advance atomically with the work). False when the lease
   * was lost.
   */
  async advance(
    executor: Knex | Knex.Transaction,
    cursor: string,
    extra: Record<string, unknown> = {},
  ): Promise<boolean> {
    const position = parseCursor(cursor)!;
    const { table, keyColumn, key } = this.row;
    const updated = await executor(table)
      .where({ [keyColumn]: key, lease_owner: this.owner })
      .update({
        txid: executor.raw('?::xid8', [position.txid]),
        change_id: position.id,
        leased_until: this.leaseEnd(executor),
        updated_at: executor.fn.now(),
        ...extra,
      });
    return updated === 1;
  }

  /**
   * One round: claims the cursor, reads up to `limit` changes after it, lets `plan` look at them
   * (outside any transaction: on PGlite's one connection, other queries would wait for it), then runs
   * the work `plan` returned and the advance in one transaction. Returns the changes handled: 0 when
   * another process holds the lease, nothing is new, or the lease was lost meanwhile (the round then
   * rolls back, and the process holding the lease handles those changes).
   */
  async consume(limit: number, plan: (changes: IssueChangeRecord[]) => Promise<RoundWork>): Promise<number> {
    const cursor = await this.claim();
    if (!cursor) return 0;
    const changes = await readChangesAfter(this.knex, { after: cursor, limit });
    if (changes.length === 0) return 0;
    const work = await plan(changes);
    try {
      await this.knex.transaction(async (trx) => {
        const extra = (await work(trx)) ?? {};
        if (!(await this.advance(trx, changes.at(-1)!.cursor, extra))) throw new LeaseLost();
      });
    } catch (error) {
      if (error instanceof LeaseLost) return 0;
      throw error;
    }
    return changes.length;
  }

  /** Gives up every lease this owner holds in the table (on stop), so another process takes over at once. */
  static async releaseAll(knex: Knex, table: string, owner: string): Promise<void> {
    await knex(table)
      .where('lease_owner', owner)
      .update({ lease_owner: null, leased_until: null })
      .catch(() => undefined);
  }

  private leaseEnd(knex: Knex | Knex.Transaction): Knex.Raw {
    return knex.raw(`now() + ? * interval '1 millisecond'`, [this.leaseMs]);
  }
}
