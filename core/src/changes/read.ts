import type { Knex } from 'knex';
import { formatCursor, type ChangeCursor } from './cursor';
import type { ChangeKind, ChangeSurface, IssueChangeRecord } from './kinds';
import { jsonColumn } from '../db';

/** A row id above any real one: a cursor at the end of a transaction. */
const END_OF_TRANSACTION = '9223372036854775807';

/**
 * Row ids come from a sequence, and transactions commit in any order: ordering by id alone, a reader
 * resuming "after id N" would miss a row with a smaller id that commits later. So the stream is
 * ordered by (transaction id, row id), and a row is delivered only once its transaction is older than
 * every transaction still running (`txid < xmin` of a fresh snapshot): whatever commits later has a
 * larger txid, so comes after every cursor handed out. The price is latency while a long transaction
 * is open anywhere on the server.
 */
export async function readChangesAfter(
  knex: Knex,
  options: {
    /** Undefined: every organization (for the host's own consumers, e.g. plugin hooks). */
    organizationId?: number;
    after: ChangeCursor;
    /** Undefined: every project of the organization. */
    projectIds?: number[];
    limit: number;
  },
): Promise<IssueChangeRecord[]> {
  const query = knex('issue_changes')
    .whereRaw('(txid, id) > (?::xid8, ?::bigint)', [options.after.txid, options.after.id])
    .whereRaw('txid < pg_snapshot_xmin(pg_current_snapshot())')
    .orderBy([
      { column: 'txid', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(options.limit)
    .select(
      'id',
      knex.raw('txid::text AS txid'),
      'organization_id',
      'project_id',
      'issue_id',
      'kind',
      'surface',
      'actor_user_id',
      'data',
      'created_at',
    );
  if (options.organizationId !== undefined) query.where('organization_id', options.organizationId);
  if (options.projectIds) query.whereIn('project_id', options.projectIds);
  const rows: ChangeRow[] = await query;
  return rows.map((row) => ({
    id: Number(row.id),
    cursor: formatCursor({ txid: row.txid, id: String(row.id) }),
    organizationId: row.organization_id,
    projectId: row.project_id,
    issueId: row.issue_id,
    kind: row.kind,
    surface: row.surface,
    actorUserId: row.actor_user_id,
    data: jsonColumn<Record<string, unknown>>(row.data),
    createdAt: new Date(row.created_at),
  }));
}

/** The position of "now": changes that commit from here on come after it, earlier ones before. */
export async function currentChangeCursor(knex: Knex): Promise<ChangeCursor> {
  const { rows } = await knex.raw<{ rows: { txid: string }[] }>(
    `SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::numeric - 1)::text AS txid`,
  );
  return { txid: rows[0].txid, id: END_OF_TRANSACTION };
}

interface ChangeRow {
  id: string | number;
  txid: string;
  organization_id: number;
  project_id: number;
  issue_id: number;
  kind: ChangeKind;
  surface: ChangeSurface;
  actor_user_id: number | null;
  data: Record<string, unknown> | string;
  created_at: Date | string;
}
