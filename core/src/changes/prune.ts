import type { Knex } from 'knex';
import type { ChangeCursor } from './cursor';

/** Rows deleted per statement, so pruning a large backlog never holds one huge transaction. */
const PRUNE_BATCH = 5_000;

/**
 * Deletes changes recorded before `olderThan`, in batches, and moves the horizon (the newest pruned
 * position) in the same statement, so a reader never sees rows gone without the horizon saying so.
 * Safe to run from several processes at once. Returns how many rows were deleted.
 */
export async function pruneChanges(knex: Knex, olderThan: Date, batch = PRUNE_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await knex.raw<{ rows: { n: number }[] }>(
      `WITH gone AS (
         DELETE FROM issue_changes
          WHERE id IN (SELECT id FROM issue_changes WHERE created_at < ? ORDER BY created_at LIMIT ?)
          RETURNING txid, id
       ), newest AS (
         SELECT txid, id FROM gone ORDER BY txid DESC, id DESC LIMIT 1
       ), horizon AS (
         INSERT INTO issue_change_horizon (txid, id) SELECT txid, id FROM newest
         ON CONFLICT (singleton) DO UPDATE SET txid = EXCLUDED.txid, id = EXCLUDED.id
          WHERE (issue_change_horizon.txid, issue_change_horizon.id) < (EXCLUDED.txid, EXCLUDED.id)
       )
       SELECT count(*)::int AS n FROM gone`,
      [olderThan, batch],
    );
    total += rows[0].n;
    if (rows[0].n < batch) return total;
  }
}

/**
 * Whether changes after `cursor` may have been pruned: it lies before the horizon. Resuming from
 * it would skip changes without anyone noticing.
 */
export async function isBeforeHorizon(knex: Knex, cursor: ChangeCursor): Promise<boolean> {
  const row = await knex('issue_change_horizon')
    .whereRaw('(?::xid8, ?::bigint) < (txid, id)', [cursor.txid, cursor.id])
    .first('singleton');
  return row !== undefined;
}
