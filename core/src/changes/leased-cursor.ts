import type { Knex } from 'knex';
import { parseCursor, type ChangeCursor } from './cursor';
import { currentChangeCursor } from './read';

/** Where a consumer's cursor row lives: a table with `txid`, `change_id`, `lease_owner`, `leased_until`. */
export interface LeasedCursorRow {
  table: string;
  keyColumn: string;
  key: string;
}

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
