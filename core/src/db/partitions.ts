import type { Knex } from 'knex';

const DAY_MS = 86_400_000;

function dayStart(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
}

function partitionName(day: Date): string {
  return `events_${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/**
 * Where Postgres offers lz4 (migration 008 makes it the events' compression), events are stored
 * compressed: lz4 costs ~20 µs per event and halves the table. Where only pglz exists (PGlite, the
 * embedded default, and Postgres builds without lz4), compressing a 4 KB event cost ~80 µs of CPU
 * per row on PGlite for a third less space, so rows up to ~8 KB stay inline and uncompressed there.
 */
async function storageOptions(executor: Knex | Knex.Transaction): Promise<string> {
  const { rows } = await executor.raw<{ rows: { lz4: boolean }[] }>(
    `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
  );
  return rows[0]?.lz4 ? '' : ' WITH (toast_tuple_target = 8160)';
}

/**
 * Creates the daily `events` partitions covering the given times (UTC days). Remembers what it
 * made so the hot path pays for a CREATE only once per day per process.
 */
export class EventPartitions {
  private readonly known = new Set<string>();
  /** Storage options of new partitions, decided once per process (see `storageOptions`). */
  private options: string | undefined;

  constructor(private readonly knex: Knex) {}

  /**
   * `executor` may be a transaction; if it rolls back, call `forget()` so the next attempt re-creates.
   */
  async ensureFor(times: Date[], executor: Knex | Knex.Transaction = this.knex): Promise<void> {
    for (const time of times) {
      const day = dayStart(time);
      const name = partitionName(day);
      if (this.known.has(name)) continue;
      const next = new Date(day.getTime() + DAY_MS);
      // Through the executor: on PGlite a query outside the caller's transaction would wait forever.
      this.options ??= await storageOptions(executor);
      const options = this.options;
      try {
        await executor.raw(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF events FOR VALUES FROM ('${day.toISOString()}') TO ('${next.toISOString()}')${options}`,
        );
      } catch (error) {
        // Two processes creating the same partition at once: the loser sees a duplicate; that's fine.
        if (!/already exists/.test(String(error))) throw error;
      }
      this.known.add(name);
    }
  }

  forget(): void {
    this.known.clear();
  }

  /** Drops whole daily partitions that end before `retentionDays` ago. Returns the dropped names. */
  async dropOlderThan(retentionDays: number, now = new Date()): Promise<string[]> {
    const cutoff = dayStart(new Date(now.getTime() - retentionDays * DAY_MS));
    const { rows } = await this.knex.raw<{ rows: { name: string }[] }>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'events'`,
    );
    const dropped: string[] = [];
    for (const { name } of rows) {
      const match = /^events_(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (!match) continue;
      const day = new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`);
      if (day.getTime() + DAY_MS <= cutoff.getTime()) {
        await this.knex.raw(`DROP TABLE IF EXISTS ${name}`);
        this.known.delete(name);
        dropped.push(name);
      }
    }
    return dropped;
  }
}
