import type { Config } from '../config';
import { generateEventId, parseEventId } from '../events';
import {
  AuthError,
  BadRequestError,
  ForbiddenError,
  PayloadTooLargeError,
  RateLimitedError,
} from '../errors';
import type { ProjectKey } from '../accounts';
import {
  decodeJsonPayload,
  parseEnvelopeYielding,
  parseJsonPayload,
  type Envelope,
  type EnvelopeItem,
} from './envelope';
import { assertSingleEventItem, classifyItem } from './item-types';
import type { ProjectKeyCache } from './key-cache';
import type { IngestQueueWriter, QueuedEvent, StoredItem } from './queue-writer';
import type { KeyRateLimiter } from './rate-limiter';
import { extractAuth } from './sentry-auth';
import { TimeSlicer } from './time-slice';

/** What the HTTP layer hands over about a request, already read and decompressed. */
export interface IngestRequest {
  projectId: number;
  query: Record<string, string | string[] | undefined>;
  sentryAuthHeader: string | undefined;
  authorizationHeader: string | undefined;
  clientIp: string | undefined;
  body: Buffer;
}

export interface IngestAnswer {
  id: string | null;
}

type Limits = Config['limits'];

const JSON_ITEM_TYPES = new Set([
  'event',
  'transaction',
  'session',
  'sessions',
  'check_in',
  'client_report',
  'feedback',
  'user_report',
]);

/** Authenticates, limits and durably queues what an SDK sent; answers only once it is committed. */
export class IngestService {
  /**
   * Items that are JSON-decoded on the request path (one synchronous JSON.parse each) are held to
   * the event size; Relay's own limits for them are smaller still (check-ins 100 KiB, client
   * reports 4 KiB). Other items are only framed, and held to the attachment size.
   */
  private readonly jsonItemLimits: Readonly<Record<string, number>>;

  constructor(
    private readonly keys: ProjectKeyCache,
    private readonly limiter: KeyRateLimiter,
    private readonly writer: IngestQueueWriter,
    private readonly limits: Limits,
  ) {
    this.jsonItemLimits = Object.fromEntries(
      [...JSON_ITEM_TYPES].map((type) => [type, limits.maxEventBytes]),
    );
  }

  /** Auth from the URL and headers alone, before the body is read, so a bad key costs nothing. */
  async authenticateEarly(req: Omit<IngestRequest, 'body'>): Promise<ProjectKey | undefined> {
    const hasCarrier =
      req.query.sentry_key !== undefined ||
      req.sentryAuthHeader !== undefined ||
      /^sentry /i.test(req.authorizationHeader ?? '');
    if (!hasCarrier) return undefined;
    const auth = extractAuth({
      query: req.query,
      authHeader: req.sentryAuthHeader,
      authorizationHeader: req.authorizationHeader,
    });
    return this.resolveKey(auth.publicKey, req.projectId);
  }

  async ingestEnvelope(req: IngestRequest): Promise<IngestAnswer> {
    // Decoding yields to other requests between items: a body of many items must not hold the
    // event loop (and so every other organization's requests) for seconds.
    const slicer = new TimeSlicer();
    const envelope = await parseEnvelopeYielding(
      req.body,
      {
        maxItemBytes: this.limits.maxAttachmentBytes,
        maxItemBytesByType: this.jsonItemLimits,
        maxItems: this.limits.maxEnvelopeItems,
      },
      slicer,
    );
    assertSingleEventItem(envelope.items);
    const auth = extractAuth({
      query: req.query,
      authHeader: req.sentryAuthHeader,
      authorizationHeader: req.authorizationHeader,
      envelopeDsn: typeof envelope.header.dsn === 'string' ? envelope.header.dsn : undefined,
      projectId: req.projectId,
    });
    const key = await this.resolveKey(auth.publicKey, req.projectId);
    const receivedAt = new Date();
    const { events, items } = await this.splitItems(envelope, req, receivedAt, slicer);
    this.enforceRateLimit(key, events.length);
    await this.writer.write(events, items);
    return { id: events[0]?.eventId ?? headerEventId(envelope) ?? null };
  }

  /** The deprecated `/store/` endpoint: the body is one JSON event (or transaction). */
  async ingestStore(req: IngestRequest): Promise<IngestAnswer> {
    const auth = extractAuth({
      query: req.query,
      authHeader: req.sentryAuthHeader,
      authorizationHeader: req.authorizationHeader,
    });
    const key = await this.resolveKey(auth.publicKey, req.projectId);
    if (req.body.length > this.limits.maxEventBytes) {
      throw new PayloadTooLargeError(
        `The event is ${req.body.length} bytes; the limit is ${this.limits.maxEventBytes}`,
        'event_too_large',
      );
    }
    const item: EnvelopeItem = { header: { type: 'event' }, payload: req.body };
    const payload = parseJsonPayload(item, 0);
    if (!isObject(payload)) throw new BadRequestError('The event must be a JSON object', 'invalid_event');
    const type = payload.type === 'transaction' ? 'transaction' : 'event';
    const envelope: Envelope = { header: {}, items: [{ header: { type }, payload: req.body }] };
    const { events, items } = await this.splitItems(envelope, req, new Date(), new TimeSlicer());
    this.enforceRateLimit(key, events.length);
    await this.writer.write(events, items);
    const id = events[0]?.eventId ?? parseEventId(payload.event_id) ?? null;
    return { id };
  }

  private async resolveKey(publicKey: string, projectId: number): Promise<ProjectKey> {
    const key = await this.keys.get(publicKey);
    if (!key || key.project_id !== projectId) {
      throw new AuthError(
        `Unknown DSN key for project ${projectId}; check the DSN the SDK is configured with`,
        'invalid_key',
      );
    }
    if (!key.is_active) throw new ForbiddenError('This DSN key is disabled', 'key_disabled');
    return key;
  }

  private async splitItems(
    envelope: Envelope,
    req: IngestRequest,
    receivedAt: Date,
    slicer: TimeSlicer,
  ): Promise<{ events: QueuedEvent[]; items: StoredItem[] }> {
    const events: QueuedEvent[] = [];
    const items: StoredItem[] = [];
    const sentAt = parseSentAt(envelope.header.sent_at);
    for (const [index, item] of envelope.items.entries()) {
      await slicer.tick();
      this.splitItem(envelope, item, index, { req, receivedAt, sentAt, events, items });
    }
    return { events, items };
  }

  private splitItem(
    envelope: Envelope,
    item: EnvelopeItem,
    index: number,
    into: {
      req: IngestRequest;
      receivedAt: Date;
      sentAt: number | undefined;
      events: QueuedEvent[];
      items: StoredItem[];
    },
  ): void {
    const { req, receivedAt, sentAt, events, items } = into;
    const type = item.header.type;
    const kind = classifyItem(type);
    if (kind === 'unknown') return; // unknown item types are skipped, never a reason to reject
    const limit = Object.hasOwn(this.jsonItemLimits, type)
      ? this.jsonItemLimits[type]
      : this.limits.maxAttachmentBytes;
    if (item.payload.length > limit) {
      throw new PayloadTooLargeError(
        `Item ${index} (${type}) is ${item.payload.length} bytes; the limit is ${limit}`,
        'item_too_large',
      );
    }
    if (JSON_ITEM_TYPES.has(type)) {
      const { text, value: payload } = decodeJsonPayload(item, index);
      if (!isObject(payload))
        throw new BadRequestError(`Item ${index} (${type}) must be a JSON object`, 'invalid_item');
      if (type === 'event') {
        // Like Relay: the envelope's id wins, then the payload's; an event with neither gets one.
        const eventId = headerEventId(envelope) ?? parseEventId(payload.event_id) ?? generateEventId();
        events.push({
          projectId: req.projectId,
          receivedAt,
          eventId,
          sentAt,
          clientIp: req.clientIp,
          payload: text,
        });
        return;
      }
      if (
        type === 'transaction' &&
        !isObject((payload.contexts as Record<string, unknown> | undefined)?.trace)
      ) {
        throw new BadRequestError(`Item ${index} (transaction) has no contexts.trace`, 'invalid_transaction');
      }
    }
    items.push({
      projectId: req.projectId,
      receivedAt,
      itemType: type,
      eventId: headerEventId(envelope),
      itemHeader: item.header,
      payload: item.payload,
    });
  }

  private enforceRateLimit(key: ProjectKey, eventCount: number): void {
    const count = key.rate_limit_count ?? this.limits.keyRateLimitPerMinute;
    const windowSeconds = key.rate_limit_count ? (key.rate_limit_window ?? 60) : 60;
    const retryAfter = this.limiter.take(key.id, { count, windowSeconds }, eventCount);
    if (retryAfter > 0) {
      throw new RateLimitedError(
        `Rate limit of ${count} events per ${windowSeconds}s exceeded for this DSN key`,
        retryAfter,
        'rate_limited',
        {
          'X-Sentry-Rate-Limits': `${retryAfter}:error;default:key:key_quota`,
        },
      );
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The envelope header's `event_id`; a malformed one makes the envelope invalid (as in Relay). */
function headerEventId(envelope: Envelope): string | undefined {
  const raw = envelope.header.event_id;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const id = parseEventId(raw);
  if (!id) {
    throw new BadRequestError(
      `Envelope header event_id ${JSON.stringify(raw)} is not a UUID (32 hex digits, dashes optional)`,
      'invalid_event_id',
    );
  }
  return id;
}

function parseSentAt(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}
