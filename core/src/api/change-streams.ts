import { PassThrough } from 'node:stream';
import type { Knex } from 'knex';
import { z } from 'zod';
import {
  CHANGE_KINDS,
  CHANGE_SURFACES,
  readChangesAfter,
  type ChangeCursor,
  type IssueChangeRecord,
} from '../changes';
import { signalsOf } from '../db';

/** How often open streams look for new changes, and how often an idle one sends a comment. */
export const POLL_INTERVAL_MS = 250;
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** How often an open stream checks again which projects its caller may see. */
export const RESCOPE_INTERVAL_MS = 30_000;
const BATCH = 500;
/**
 * Streams read the outbox while changes are announced (and for this long after the last
 * announcement: a change committed while an older transaction is open is readable only once that
 * one ends), and otherwise only every SAFETY_POLL_MS, in case an announcement was lost.
 */
const ACTIVE_AFTER_SIGNAL_MS = 2000;
const SAFETY_POLL_MS = 30_000;

/** The caller's projects now (undefined: all), or `revoked` when the caller lost the organization. */
export type Rescope = () => Promise<number[] | undefined | 'revoked'>;

export interface StreamSubscription {
  organizationId: number;
  /** Undefined: every project of the organization. */
  projectIds: number[] | undefined;
  after: ChangeCursor;
  /** Re-checks access while the stream is open, so a member taken off a team stops seeing it. */
  rescope?: Rescope;
}

interface OpenStream extends StreamSubscription {
  out: PassThrough;
  busy: boolean;
  lastWrite: number;
  lastScoped: number;
  lastPolled: number;
}

/**
 * The `data` of each change event (JSON). The event's `id` is its cursor, to resume from with
 * `Last-Event-ID`; its name is `issue.<kind>`.
 */
export const changeEventSchema = z
  .strictObject({
    id: z.number().int(),
    kind: z.enum(CHANGE_KINDS),
    organizationId: z.number().int(),
    projectId: z.number().int(),
    issueId: z.string(),
    surface: z.enum(CHANGE_SURFACES).describe('Where the change was made'),
    actorUserId: z
      .string()
      .nullable()
      .describe('Who made it; null for the pipeline, service tokens and plugins'),
    data: z.record(z.string(), z.unknown()),
    dateCreated: z.iso.datetime(),
  })
  .meta({ id: 'ChangeEvent' });

/** One change as a Server-Sent Event. */
export function sseEvent(change: IssueChangeRecord): string {
  const data: z.input<typeof changeEventSchema> = {
    id: change.id,
    kind: change.kind,
    organizationId: change.organizationId,
    projectId: change.projectId,
    issueId: String(change.issueId),
    surface: change.surface,
    actorUserId: change.actorUserId === null ? null : String(change.actorUserId),
    data: change.data,
    dateCreated: change.createdAt.toISOString(),
  };
  return `id: ${change.cursor}\nevent: issue.${change.kind}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The open change streams of this process, served by one timer: on a tick after changes were
 * announced (the `changes` signal, from any process), each stream reads the outbox after its own
 * cursor (the outbox, not this process, is the source of truth, so changes made through any process
 * sharing the database arrive). `closeAll()` ends them on shutdown.
 */
export class ChangeStreams {
  private readonly open = new Set<OpenStream>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** When changes were last announced; without signals (a database opened elsewhere), always. */
  private lastSignal = Infinity;

  constructor(
    private readonly knex: Knex,
    private readonly intervals: { pollMs: number; heartbeatMs: number; rescopeMs?: number } = {
      pollMs: POLL_INTERVAL_MS,
      heartbeatMs: HEARTBEAT_INTERVAL_MS,
    },
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Opens a stream; it ends (and stops being polled) when the client goes or `closeAll()` runs. */
  subscribe(subscription: StreamSubscription): PassThrough {
    const out = new PassThrough();
    const now = Date.now();
    const stream: OpenStream = {
      ...subscription,
      out,
      busy: false,
      lastWrite: now,
      lastScoped: now,
      lastPolled: now,
    };
    this.open.add(stream);
    out.on('close', () => this.forget(stream));
    out.write(`retry: 2000\n: connected\n\n`);
    if (!this.timer) {
      const signals = signalsOf(this.knex);
      if (signals) {
        this.lastSignal = 0;
        this.unsubscribe = signals.on('changes', () => (this.lastSignal = Date.now()));
      }
      this.timer = setInterval(() => this.tick(), this.intervals.pollMs);
    }
    void this.poll(stream);
    return out;
  }

  closeAll(): void {
    for (const stream of this.open) stream.out.end();
    this.open.clear();
    this.stopTimer();
  }

  private forget(stream: OpenStream): void {
    this.open.delete(stream);
    if (this.open.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private tick(): void {
    const now = Date.now();
    const announced = now - this.lastSignal < ACTIVE_AFTER_SIGNAL_MS;
    const rescopeMs = this.intervals.rescopeMs ?? RESCOPE_INTERVAL_MS;
    for (const stream of this.open) {
      if (now - stream.lastWrite >= this.intervals.heartbeatMs) this.write(stream, ': ping\n\n');
      const due =
        announced ||
        now - stream.lastPolled >= SAFETY_POLL_MS ||
        (stream.rescope !== undefined && now - stream.lastScoped >= rescopeMs);
      if (due && !stream.busy) void this.poll(stream);
    }
  }

  private async poll(stream: OpenStream): Promise<void> {
    stream.busy = true;
    stream.lastPolled = Date.now();
    try {
      const rescopeMs = this.intervals.rescopeMs ?? RESCOPE_INTERVAL_MS;
      if (stream.rescope && Date.now() - stream.lastScoped >= rescopeMs) {
        const scope = await stream.rescope();
        stream.lastScoped = Date.now();
        if (scope === 'revoked') {
          stream.out.end();
          this.forget(stream);
          return;
        }
        stream.projectIds = scope;
      }
      for (;;) {
        if (!this.open.has(stream) || stream.projectIds?.length === 0) return;
        const changes = await readChangesAfter(this.knex, {
          organizationId: stream.organizationId,
          after: stream.after,
          projectIds: stream.projectIds,
          limit: BATCH,
        });
        if (!this.open.has(stream)) return;
        for (const change of changes) this.write(stream, sseEvent(change));
        const last = changes.at(-1);
        if (last) {
          const [txid, id] = last.cursor.split('-');
          stream.after = { txid, id };
        }
        if (changes.length < BATCH) return;
      }
    } catch {
      // The database is briefly unreachable or shutting down: the next tick tries again.
    } finally {
      stream.busy = false;
    }
  }

  private write(stream: OpenStream, text: string): void {
    stream.lastWrite = Date.now();
    stream.out.write(text);
  }
}
