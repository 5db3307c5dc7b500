import type { Knex } from 'knex';
import { columnBindings } from '../db';
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
 * The durable write of the request path. Rows from concurrent requests share one INSERT (group
 * commit); a request is acknowledged only once the INSERT holding its rows has committed.
 */
export class IngestQueueWriter {
  private readonly events: GroupCommitter<QueuedEvent>;
  private readonly items: GroupCommitter<StoredItem>;

  constructor(
    private readonly knex: Knex,
    options: { maxInFlight: number; onCommitted?: () => void },
  ) {
    this.events = new GroupCommitter(
      async (rows) => {
        await this.insertEvents(rows);
        options.onCommitted?.();
      },
      { maxBatch: 1000, maxInFlight: options.maxInFlight },
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
    const columns = columnBindings(
      rows.map((r) => r.projectId),
      rows.map((r) => r.receivedAt.toISOString()),
      rows.map((r) => r.eventId ?? null),
      rows.map((r) => r.sentAt ?? null),
      rows.map((r) => r.clientIp ?? null),
      rows.map((r) => r.payload),
    );
    await this.knex.raw(
      `INSERT INTO raw_events (project_id, received_at, event_id, sent_at, client_ip, payload)
       SELECT * FROM unnest(?::int[], ?::timestamptz[], ?::text[], ?::float8[], ?::text[], ?::text[])`,
      columns,
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
        payload: r.payload,
      })),
    );
  }
}
