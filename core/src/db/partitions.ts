import type { Knex } from 'knex';

const DAY_MS = 86_400_000;

function dayStart(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
}

function partitionName(day: Date): string {
  return `events_${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/**
 * Creates the daily `events` partitions covering the given times (UTC days). Remembers what it
 * made so the hot path pays for a CREATE only once per day per process.
 */
export class EventPartitions {
  private readonly known = new Set<string>();

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
      try {
        await executor.raw(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF events FOR VALUES FROM ('${day.toISOString()}') TO ('${next.toISOString()}')`,
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
