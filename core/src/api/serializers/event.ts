import type { EventUser, NormalizedEvent, ProcessingError } from '../../events';
import type { EventRow } from '../../issues';
import { isoDate } from './dates';
import { eventEntries, type SentryEntry } from './event-entries';

/** What the pipeline stores in `events.data`: the normalized event plus what grouping derived. */
type StoredEvent = Partial<NormalizedEvent> & {
  type?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  hashes?: string[];
  grouping_config?: { id: string; variant?: string };
};

export interface SentryTag {
  key: string;
  value: string;
}

export interface SentryEventUser {
  id: string | null;
  email: string | null;
  username: string | null;
  ip_address: string | null;
  name: string | null;
  data: Record<string, unknown> | null;
}

/** Sentry's event list item (`GET /api/0/issues/{id}/events/`). */
export interface SentryEventSummary {
  id: string;
  eventID: string;
  groupID: string;
  projectID: string;
  'event.type': string;
  title: string;
  message: string;
  location: string | null;
  culprit: string | null;
  platform: string | null;
  dateCreated: string;
  dateReceived: string;
  user: SentryEventUser | null;
  tags: SentryTag[];
  metadata: Record<string, unknown>;
  crashFile: null;
}

/** Sentry's full event (`…/events/latest/`, `…/events/{eventId}/`). */
export interface SentryEvent extends SentryEventSummary {
  type: string;
  entries: SentryEntry[];
  contexts: Record<string, unknown>;
  context: Record<string, unknown>;
  packages: Record<string, string>;
  sdk: { name: string | null; version: string | null } | null;
  release: { version: string } | null;
  dist: string | null;
  environment: string | null;
  fingerprints: string[];
  groupingConfig: { id: string } | null;
  errors: { type: string; message: string; data: Record<string, unknown> }[];
  size: number;
  nextEventID: string | null;
  previousEventID: string | null;
  occurrence: null;
  userReport: null;
  sdkUpdates: never[];
  resolvedWith: never[];
}

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
