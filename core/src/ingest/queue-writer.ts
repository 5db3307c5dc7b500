import type { Knex } from 'knex';
import { valueRows } from '../db';
import { ServiceUnavailableError } from '../errors';
import { GroupCommitter } from './group-commit';

/** An event item on its way into the `raw_events` queue. */
export interface QueuedEvent {
  projectId: number;
  receivedAt: Date;
  eventId: string | undefined;
  sentAt: number | undefined;
  clientIp: string | undefined;
  payload: string;
}

/** Any other accepted item, kept raw in `stored_items` for later features. */
export interface StoredItem {
  projectId: number;
  receivedAt: Date;
  itemType: string;
  eventId: string | undefined;
  itemHeader: Record<string, unknown>;
  payload: Buffer;
}

/**
 * Most rows in one INSERT. Each row takes 6 bind parameters and a statement may have at most 65,535.
 */
const MAX_EVENT_ROWS = 1000;

/** Rows that must be waiting before a second flush overlaps a running one (see GroupCommitOptions). */
const OVERLAP_ROWS = 32;

/**
 * The durable write of the request path. Rows from concurrent requests share one INSERT (group
 * commit); a request is acknowledged only once the INSERT holding its rows has committed.
 */
export class IngestQueueWriter {
  private readonly events: GroupCommitter<QueuedEvent>;
  private readonly items: GroupCommitter<StoredItem>;
  private readonly bytesAsHex: boolean;

  constructor(
    private readonly knex: Knex,
    options: {
      maxInFlight: number;
      onCommitted?: (rows: number) => void;
      /**
       * Send item payloads as hex for Postgres to decode. PGlite serializes a Buffer parameter byte by
       * byte: ~35 MiB of memory and over half a second per MiB of attachment, on the event loop; a
       * hex string costs a fraction of that. node-postgres sends Buffers as they are, so only PGlite
       * needs it.
       */
      bytesAsHex?: boolean;
    },
  ) {
    this.bytesAsHex = options.bytesAsHex ?? false;
    this.events = new GroupCommitter(
      async (rows) => {
        await this.insertEvents(rows);
        options.onCommitted?.(rows.length);
      },
      { maxBatch: MAX_EVENT_ROWS, maxInFlight: options.maxInFlight, minRowsToOverlap: OVERLAP_ROWS },
    );
    this.items = new GroupCommitter((rows) => this.insertItems(rows), {
      maxBatch: 200,
      maxInFlight: options.maxInFlight,
    });
  }

  async write(events: QueuedEvent[], items: StoredItem[]): Promise<void> {
    try {
      await Promise.all([
        ...events.map((e) => this.events.write(e)),
        ...items.map((i) => this.items.write(i)),
      ]);
    } catch (error) {
      throw new ServiceUnavailableError(
        `Could not store the envelope durably, please retry: ${String(error)}`,
      );
    }
  }

  async drain(): Promise<void> {
    await Promise.all([this.events.drain(), this.items.drain()]);
  }

  private async insertEvents(rows: QueuedEvent[]): Promise<void> {
    // One bind parameter per value, so payloads reach Postgres as they are. Packing each column
    // into an array literal for unnest() made pg escape every quote of every payload, which was the
    // costliest step of a flush (and left Postgres to unescape them again).
    const bindings: Knex.Value[] = [];
    for (const r of rows) {
      bindings.push(
        r.projectId,
        r.receivedAt.toISOString(),
        r.eventId ?? null,
        r.sentAt ?? null,
        r.clientIp ?? null,
        r.payload,
      );
    }
    await this.knex.raw(
      `INSERT INTO raw_events (project_id, received_at, event_id, sent_at, client_ip, payload)
       VALUES ${valueRows(rows.length, 6)}`,
      bindings,
    );
  }

  private async insertItems(rows: StoredItem[]): Promise<void> {
    await this.knex('stored_items').insert(
      rows.map((r) => ({
        project_id: r.projectId,
        received_at: r.receivedAt.toISOString(),
        item_type: r.itemType,
        event_id: r.eventId ?? null,
        item_header: JSON.stringify(r.itemHeader),
        payload: this.bytesAsHex ? this.knex.raw("decode(?, 'hex')", [r.payload.toString('hex')]) : r.payload,
      })),
    );
  }
}
