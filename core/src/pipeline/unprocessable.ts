import type { Knex } from 'knex';

/**
 * Events the pipeline could not process are kept raw in `stored_items` under this type, with the
 * reason in the item header, instead of being dropped or blocking the queue.
 */
export const UNPROCESSABLE_ITEM_TYPE = 'event.unprocessable';

export interface UnprocessableEvent {
  id: string;
  eventId: string | null;
  receivedAt: Date;
  /** What failed, e.g. `RangeError: Maximum call stack size exceeded`. */
  reason: string;
}

interface Row {
  id: string;
  event_id: string | null;
  received_at: Date | string;
  item_header: unknown;
}

function reasonOf(header: unknown): string {
  const parsed: unknown = typeof header === 'string' ? JSON.parse(header) : header;
  const error = (parsed as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error : 'unknown';
}

/** A project's set-aside events, most recently received first. */
export async function listUnprocessableEvents(
  knex: Knex,
  projectId: number,
  window: { limit: number; offset: number },
): Promise<UnprocessableEvent[]> {
  const rows: Row[] = await knex('stored_items')
    .select(knex.raw('id::text AS id'), 'event_id', 'received_at', 'item_header')
    .where({ project_id: projectId, item_type: UNPROCESSABLE_ITEM_TYPE })
    .orderBy([
      { column: 'received_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(window.limit)
    .offset(window.offset);
  return rows.map((row) => ({
    id: row.id,
    eventId: row.event_id,
    receivedAt: new Date(row.received_at),
    reason: reasonOf(row.item_header),
  }));
}
