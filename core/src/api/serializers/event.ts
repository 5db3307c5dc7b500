import { z } from 'zod';
import type { EventUser, NormalizedEvent, ProcessingError } from '../../events';
import type { EventRow } from '../../issues';
import { isoDate } from './dates';
import { eventEntries, sentryEntrySchema } from './event-entries';

/** What the pipeline stores in `events.data`: the normalized event plus what grouping derived. */
type StoredEvent = Partial<NormalizedEvent> & {
  type?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  hashes?: string[];
  grouping_config?: { id: string; variant?: string };
};

const sentryTagSchema = z.strictObject({ key: z.string(), value: z.string() });
type SentryTag = z.infer<typeof sentryTagSchema>;

const sentryEventUserSchema = z.strictObject({
  id: z.string().nullable(),
  email: z.string().nullable(),
  username: z.string().nullable(),
  ip_address: z.string().nullable(),
  name: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
type SentryEventUser = z.infer<typeof sentryEventUserSchema>;

const eventSummaryFields = {
  id: z.string(),
  eventID: z.string(),
  groupID: z.string(),
  projectID: z.string(),
  'event.type': z.string(),
  title: z.string(),
  message: z.string(),
  location: z.string().nullable(),
  culprit: z.string().nullable(),
  platform: z.string().nullable(),
  dateCreated: z.iso.datetime(),
  dateReceived: z.iso.datetime(),
  user: sentryEventUserSchema.nullable(),
  tags: z.array(sentryTagSchema),
  metadata: z.record(z.string(), z.unknown()),
  crashFile: z.null(),
};

/** Sentry's event list item (`GET /api/0/issues/{id}/events/`). */
export const sentryEventSummarySchema = z.strictObject(eventSummaryFields).meta({ id: 'EventSummary' });
export type SentryEventSummary = z.infer<typeof sentryEventSummarySchema>;

/** Sentry's full event (`…/events/latest/`, `…/events/{eventId}/`). */
export const sentryEventSchema = z
  .strictObject({
    ...eventSummaryFields,
    type: z.string(),
    entries: z.array(sentryEntrySchema),
    contexts: z.record(z.string(), z.unknown()),
    context: z.record(z.string(), z.unknown()),
    packages: z.record(z.string(), z.string()),
    sdk: z.strictObject({ name: z.string().nullable(), version: z.string().nullable() }).nullable(),
    release: z.strictObject({ version: z.string() }).nullable(),
    dist: z.string().nullable(),
    environment: z.string().nullable(),
    fingerprints: z.array(z.string()),
    groupingConfig: z.strictObject({ id: z.string() }).nullable(),
    errors: z.array(
      z.strictObject({ type: z.string(), message: z.string(), data: z.record(z.string(), z.unknown()) }),
    ),
    size: z.number().int(),
    nextEventID: z.string().nullable(),
    previousEventID: z.string().nullable(),
    occurrence: z.null(),
    userReport: z.null(),
    sdkUpdates: z.array(z.never()),
    resolvedWith: z.array(z.never()),
  })
  .meta({ id: 'Event' });
export type SentryEvent = z.infer<typeof sentryEventSchema>;

const KNOWN_USER_FIELDS = new Set(['id', 'email', 'username', 'ip_address', 'name']);

function serializeUser(user: EventUser | undefined): SentryEventUser | null {
  if (!user) return null;
  const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const extra = Object.fromEntries(Object.entries(user).filter(([key]) => !KNOWN_USER_FIELDS.has(key)));
  return {
    id: str(user.id),
    email: str(user.email),
    username: str(user.username),
    ip_address: str(user.ip_address),
    name: str(user.name),
    data: Object.keys(extra).length > 0 ? extra : null,
  };
}

/** Sentry lists an event's tags sorted by key. */
function serializeTags(tags: [string, string][] | undefined): SentryTag[] {
  return (tags ?? [])
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const ERROR_MESSAGES: Record<string, string> = {
  invalid_data: 'Discarded invalid value',
  invalid_attribute: 'Discarded unknown attribute',
  value_too_long: 'Discarded value due to exceeding maximum length',
  past_timestamp: 'Timestamp too old',
  future_timestamp: 'Invalid timestamp (in future)',
  clock_drift: 'Clock drift detected in SDK',
};

function serializeErrors(errors: ProcessingError[] | undefined): SentryEvent['errors'] {
  return (errors ?? []).map((error) => ({
    type: error.type,
    message: ERROR_MESSAGES[error.type] ?? error.type.replace(/_/g, ' '),
    data: {
      ...(error.name === undefined ? {} : { name: error.name }),
      ...(error.value === undefined ? {} : { value: error.value }),
    },
  }));
}

export function serializeEventSummary(row: EventRow): SentryEventSummary {
  const event = row.data as StoredEvent;
  const metadata = event.metadata ?? {};
  return {
    id: row.event_id,
    eventID: row.event_id,
    groupID: String(row.issue_id),
    projectID: String(row.project_id),
    'event.type': event.type === 'error' ? 'error' : 'default',
    title: row.title,
    message: row.message,
    location: typeof metadata.filename === 'string' ? metadata.filename : null,
    culprit: event.culprit ?? null,
    platform: event.platform ?? null,
    dateCreated: isoDate(row.timestamp),
    dateReceived: isoDate(row.received_at),
    user: serializeUser(event.user),
    tags: serializeTags(event.tags),
    metadata,
    crashFile: null,
  };
}

export function serializeEvent(
  row: EventRow,
  neighbours: { previous: string | null; next: string | null } = { previous: null, next: null },
): SentryEvent {
  const event = row.data as StoredEvent;
  return {
    ...serializeEventSummary(row),
    type: event.type ?? 'default',
    entries: eventEntries(event),
    contexts: event.contexts ?? {},
    context: event.extra ?? {},
    packages: event.modules ?? {},
    sdk: event.sdk ? { name: event.sdk.name ?? null, version: event.sdk.version ?? null } : null,
    release: row.release === null ? null : { version: row.release },
    dist: event.dist ?? null,
    environment: row.environment || null,
    fingerprints: event.hashes ?? [],
    groupingConfig: event.grouping_config ? { id: event.grouping_config.id } : null,
    errors: serializeErrors(event.errors),
    size: Buffer.byteLength(JSON.stringify(row.data)),
    nextEventID: neighbours.next,
    previousEventID: neighbours.previous,
    occurrence: null,
    userReport: null,
    sdkUpdates: [],
    resolvedWith: [],
  };
}
