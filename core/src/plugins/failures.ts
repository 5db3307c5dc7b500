import type { Knex } from 'knex';
import type { Logger } from '../logging';

/** Which kind of plugin call failed. */
export const FAILURE_KINDS = ['processEvent', 'hook', 'alert', 'task'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export type FailureCounts = Record<FailureKind, number>;

/** Error text kept per plugin: enough to recognize it, not a dump. */
const MAX_ERROR_CHARS = 500;
/** processEvent failures are written at most this often (they happen inside pipeline batches). */
const FLUSH_DELAY_MS = 1000;

/**
 * Counts failed plugin calls (threw, timed out, gave a wrong answer) in `plugin_failures`, shared by
 * every process, per plugin and kind. Each failed call counts, retries included. Calls made inside a
 * pipeline transaction are buffered and written shortly after, outside it.
 */
export class PluginFailures {
  private readonly pending = new Map<
    string,
    { pluginId: string; kind: FailureKind; n: number; error: string }
  >();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly log: Logger,
  ) {}

  /** Counts a failure now (outside any transaction). */
  async record(pluginId: string, kind: FailureKind, error: unknown): Promise<void> {
    await this.add(pluginId, kind, 1, describe(error));
  }

  /** Counts a failure later, for callers inside a transaction that holds the connection. */
  recordLater(pluginId: string, kind: FailureKind, error: unknown): void {
    const key = `${pluginId}\u0000${kind}`;
    const entry = this.pending.get(key) ?? { pluginId, kind, n: 0, error: '' };
    entry.n += 1;
    entry.error = describe(error);
    this.pending.set(key, entry);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => this.log.warn({ err }, 'plugin failure counts not saved'));
    }, FLUSH_DELAY_MS);
    this.timer.unref();
  }

  /** Writes buffered counts. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const e of entries) await this.add(e.pluginId, e.kind, e.n, e.error);
  }

  /**
   * Failures by plugin id and kind, across every process, as written; with `withUnwritten`, plus
   * this process's failures still waiting to be written (without writing them: this only reads).
   */
  async counts(options: { withUnwritten?: boolean } = {}): Promise<Map<string, FailureCounts>> {
    const rows: { plugin_id: string; kind: FailureKind; failures: string | number }[] = await this.knex(
      'plugin_failures',
    ).select('plugin_id', 'kind', 'failures');
    const counts = new Map<string, FailureCounts>();
    for (const row of rows) {
      const entry = counts.get(row.plugin_id) ?? emptyCounts();
      if ((FAILURE_KINDS as readonly string[]).includes(row.kind)) entry[row.kind] = Number(row.failures);
      counts.set(row.plugin_id, entry);
    }
    if (options.withUnwritten) {
      for (const e of this.pending.values()) {
        const entry = counts.get(e.pluginId) ?? emptyCounts();
        entry[e.kind] += e.n;
        counts.set(e.pluginId, entry);
      }
    }
    return counts;
  }

  /** The last error of each kind of one plugin's failures: as written, then this process's unwritten ones. */
  async lastErrors(pluginId: string): Promise<Partial<Record<FailureKind, string>>> {
    const rows: { kind: FailureKind; last_error: string | null }[] = await this.knex('plugin_failures')
      .where({ plugin_id: pluginId })
      .select('kind', 'last_error');
    const errors: Partial<Record<FailureKind, string>> = {};
    for (const row of rows) if (row.last_error) errors[row.kind] = row.last_error;
    for (const e of this.pending.values()) if (e.pluginId === pluginId) errors[e.kind] = e.error;
    return errors;
  }

  private async add(pluginId: string, kind: FailureKind, n: number, error: string): Promise<void> {
    await this.knex('plugin_failures')
      .insert({
        plugin_id: pluginId,
        kind,
        failures: n,
        last_error: error,
        last_failed_at: this.knex.fn.now(),
      })
      .onConflict(['plugin_id', 'kind'])
      .merge({
        failures: this.knex.raw('plugin_failures.failures + ?', [n]),
        last_error: error,
        last_failed_at: this.knex.fn.now(),
      });
  }
}

export function emptyCounts(): FailureCounts {
  return { processEvent: 0, hook: 0, alert: 0, task: 0 };
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_ERROR_CHARS);
}
