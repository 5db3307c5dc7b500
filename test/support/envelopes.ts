import crypto from 'node:crypto';

export interface EnvelopeItemSpec {
  header: Record<string, unknown>;
  payload: string | Buffer;
}

/** 32 lowercase hex characters, as SDKs write event ids. */
export function randomEventId(): string {
  return crypto.randomBytes(16).toString('hex');
}

/** Frames an envelope: header line, then per item its header line and payload, no trailing newline. */
export function buildEnvelope(header: Record<string, unknown>, items: EnvelopeItemSpec[]): Buffer {
  const parts: Buffer[] = [Buffer.from(JSON.stringify(header))];
  for (const item of items) {
    parts.push(Buffer.from('\n' + JSON.stringify(item.header) + '\n'));
    parts.push(typeof item.payload === 'string' ? Buffer.from(item.payload) : item.payload);
  }
  return Buffer.concat(parts);
}

export interface TestEvent {
  eventId: string;
  body: Buffer;
}

/** A small error event envelope as an SDK would send it; `fingerprint` picks its issue. */
export function eventEnvelope(options: {
  message: string;
  fingerprint?: string[];
  eventId?: string;
  extra?: Record<string, unknown>;
  /** More event fields (tags, user…). */
  fields?: Record<string, unknown>;
  header?: Record<string, unknown>;
}): TestEvent {
  const eventId = options.eventId ?? randomEventId();
  const event = {
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    message: options.message,
    ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
    ...(options.extra ? { extra: options.extra } : {}),
    ...options.fields,
  };
  const body = buildEnvelope({ event_id: eventId, sent_at: new Date().toISOString(), ...options.header }, [
    { header: { type: 'event' }, payload: JSON.stringify(event) },
  ]);
  return { eventId, body };
}

/** `/api/{projectId}/envelope/?sentry_version=7&sentry_key=…`, the way every JS SDK sends the key. */
export function envelopeUrl(baseUrl: string, projectId: number | string, publicKey?: string): string {
  const query =
    publicKey === undefined
      ? ''
      : `?sentry_version=7&sentry_key=${publicKey}&sentry_client=faultline-e2e%2F1.0`;
  return `${baseUrl}/api/${projectId}/envelope/${query}`;
}

/** The public key and project id of a DSN. */
export function parseTestDsn(dsn: string): { publicKey: string; projectId: number; host: string } {
  const url = new URL(dsn);
  return { publicKey: url.username, projectId: Number(url.pathname.split('/').pop()), host: url.host };
}
