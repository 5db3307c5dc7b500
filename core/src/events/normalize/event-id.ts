import { randomUUID } from 'node:crypto';
import type { Report } from './report';
import { addError, invalid } from './report';
import { isAbsent } from './values';

const HEX32 = /^[0-9a-f]{32}$/i;
const DASHED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 32 lowercase hex digits from a 32-hex or dashed UUID string; `undefined` for anything else. */
export function parseEventId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (HEX32.test(text)) return text.toLowerCase();
  if (DASHED_UUID.test(text)) return text.replace(/-/g, '').toLowerCase();
  return undefined;
}

export function generateEventId(): string {
  return randomUUID().replace(/-/g, '');
}

/** The envelope header's id wins over the payload's; without a usable one, a fresh id is made. */
export function normalizeEventId(payloadId: unknown, envelopeId: string | undefined, report: Report): string {
  if (envelopeId !== undefined) {
    const fromEnvelope = parseEventId(envelopeId);
    if (fromEnvelope) return fromEnvelope;
    invalid(report, 'envelope.event_id', envelopeId);
  }
  const fromPayload = parseEventId(payloadId);
  if (fromPayload) return fromPayload;
  if (isAbsent(payloadId)) addError(report, 'missing_attribute', 'event_id');
  else invalid(report, 'event_id', payloadId);
  return generateEventId();
}
