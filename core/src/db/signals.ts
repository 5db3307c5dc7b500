import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';

/**
 * What processes sharing a database tell each other, as Postgres notification channels. A signal
 * only says "look now": the tables stay the truth, and whoever listens also looks on a slow timer,
 * so a lost signal delays work, never loses it.
 */
export const SIGNALS = {
  /** Issue changes were committed to the outbox (`issue_changes`). */
  changes: 'faultline_changes',
  /** Events were committed to the `raw_events` queue. */
  rawEvents: 'faultline_raw_events',
  /** Jobs were queued; the detail is the queue's name. */
  jobs: 'faultline_jobs',
} as const;
export type Signal = keyof typeof SIGNALS;
const SIGNAL_OF_CHANNEL = new Map<string, Signal>(
  Object.entries(SIGNALS).map(([signal, channel]) => [channel, signal as Signal]),
);

/** `detail` undefined: anything may have happened (e.g. after the listener reconnected). */
export type SignalHandler = (detail: string | undefined) => void;

/** Announcements of one key closer together than this are merged (at most one NOTIFY per window). */
const COALESCE_MS = 20;
const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 30_000;

/**
 * One process's side of the signals of one database. Announcing reaches this process's handlers at
 * once and, on Postgres, other processes through `pg_notify` (its own short statement after the
 * commit, never inside the writer's transaction: a transaction that notifies takes a cluster-wide
 * lock until its commit is flushed, which would serialize the pipeline's and ingestion's commits).
 * Listening on Postgres uses one dedicated connection per process, opened on the first handler and
 * reopened (with every handler called, since signals may have been missed) when it breaks. PGlite
 * is one process, so its signals stay in-process.
 */
export class DatabaseSignals {
  /** Tells this process's own notifications apart (its handlers already ran). */
  private readonly instance = randomUUID();
  private readonly handlers = new Map<Signal, Set<SignalHandler>>();
  private readonly outgoing = new Map<string, { inFlight: boolean; again: boolean }>();
  private listener: pg.Client | undefined;
  /** The listener once connected: notifications go out on it, not through the busy pool. */
  private connected: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private reconnectMs = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly knex: Knex,
    /** The Postgres URL; undefined for PGlite (in-process only). */
    private readonly url: string | undefined,
  ) {}

  /** Calls `handler` on each announcement of `signal` (from any process); returns the unsubscribe. */
  on(signal: Signal, handler: SignalHandler): () => void {
    let set = this.handlers.get(signal);
    if (!set) this.handlers.set(signal, (set = new Set()));
    set.add(handler);
    if (this.url) {
      if (this.listener) void this.listen(this.listener, [signal]).catch(() => undefined);
      else this.connect();
    }
    return () => set.delete(handler);
  }

  /** Resolves once the listener connection listens (Postgres), for tests and start-up ordering. */
  async ready(): Promise<void> {
    await this.listening;
  }

  /**
   * Tells every process that `signal` happened; call it after the commit that made it true. Cheap
   * to call often: announcements close together are merged.
   */
  announce(signal: Signal, detail?: string): void {
    if (this.closed) return;
    this.dispatch(signal, detail);
    if (!this.url) return;
    const key = detail === undefined ? signal : `${signal}:${detail}`;
    let state = this.outgoing.get(key);
    if (!state) this.outgoing.set(key, (state = { inFlight: false, again: false }));
    if (state.inFlight) {
      state.again = true;
      return;
    }
    state.inFlight = true;
    const send = (): void => {
      state.again = false;
      const payload = detail === undefined ? this.instance : `${this.instance}:${detail}`;
      const sent = this.connected
        ? this.connected.query('SELECT pg_notify($1, $2)', [SIGNALS[signal], payload])
        : this.knex.raw('SELECT pg_notify(?, ?)', [SIGNALS[signal], payload]);
      void Promise.resolve(sent)
        .catch(() => undefined) // the receivers' slow poll covers it
        .then(() => new Promise((resolve) => setTimeout(resolve, COALESCE_MS)))
        .then(() => {
          if (state.again && !this.closed) send();
          else state.inFlight = false;
        });
    };
    send();
  }

  /** Runs `handler` after `trx` (its outermost transaction) commits, never after a rollback. */
  static afterCommit(trx: Knex.Transaction, handler: () => void): void {
    let outer = trx;
    while (outer.parentTransaction) outer = outer.parentTransaction;
    outer.executionPromise.then(handler, () => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    this.connected = undefined;
    await listener?.end().catch(() => undefined);
  }

  private dispatch(signal: Signal, detail: string | undefined): void {
    for (const handler of this.handlers.get(signal) ?? []) handler(detail);
  }

  private connect(): void {
    if (this.closed || this.listening) return;
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'faultline-signals',
      keepAlive: true,
    });
    this.listener = client;
    const broken = (): void => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.connected = undefined;
      this.listening = undefined;
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.reconnectTimer = setTimeout(() => this.connect(), this.reconnectMs);
      this.reconnectMs = Math.min(RECONNECT_MAX_MS, this.reconnectMs * 2);
    };
    client.on('error', broken);
    client.on('end', broken);
    client.on('notification', (message) => {
      const signal = SIGNAL_OF_CHANNEL.get(message.channel);
      if (!signal) return;
      const payload = message.payload ?? '';
      const colon = payload.indexOf(':');
      const sender = colon < 0 ? payload : payload.slice(0, colon);
      if (sender === this.instance) return;
      this.dispatch(signal, colon < 0 ? undefined : payload.slice(colon + 1));
    });
    this.listening = client
      .connect()
      .then(() => this.listen(client, [...this.handlers.keys()]))
      .then(() => {
        this.connected = client;
        const reconnected = this.reconnectMs > RECONNECT_MIN_MS;
        this.reconnectMs = RECONNECT_MIN_MS;
        // Whatever was announced while the connection was down went unheard: everyone looks now.
        if (reconnected) for (const signal of this.handlers.keys()) this.dispatch(signal, undefined);
      })
      .catch(broken);
  }

  private async listen(client: pg.Client, signals: Signal[]): Promise<void> {
    for (const signal of signals) await client.query(`LISTEN ${SIGNALS[signal]}`);
  }
}

/** The signals of each database this process opened (keyed by its knex config, which transactions share). */
const registry = new WeakMap<object, DatabaseSignals>();

export function registerSignals(knex: Knex, signals: DatabaseSignals): void {
  registry.set(knex.client.config as object, signals);
}

/** The signals of the database `knex` (or a transaction of it) belongs to; undefined if none were opened. */
export function signalsOf(knex: Knex | Knex.Transaction): DatabaseSignals | undefined {
  return registry.get(knex.client.config as object);
}
