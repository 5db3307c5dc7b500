import { normalizeEvent, userTagValue, type NormalizedEvent } from '../events';
import { computeGrouping, deriveIssueMetadata } from '../grouping';
import { pgJson, type PreparedEvent } from '../issues';

/** A row of the `raw_events` queue as the worker reads it. */
export interface RawEventRow {
  id: string;
  project_id: number;
  received_at: Date;
  event_id: string | null;
  sent_at: number | null;
  client_ip: string | null;
  payload: string;
}

/** Identifies the user for `userCount` the way the `user` tag names them (id, username, email, ip). */
export function userKeyOf(event: NormalizedEvent): string | undefined {
  return userTagValue(event.user);
}

function isUnhandled(event: NormalizedEvent): boolean {
  return (event.exception?.values ?? []).some((value) => value.mechanism?.handled === false);
}

/** Normalizes, groups and titles one queued event. Throws only for a payload that isn't an event. */
export function prepareEvent(row: RawEventRow): PreparedEvent {
  return prepareNormalized(row, normalizeRow(row));
}

/** Parses and normalizes one queued event. Throws only for a payload that isn't an event. */
export function normalizeRow(row: RawEventRow): NormalizedEvent {
  const payload: unknown = JSON.parse(row.payload);
  return normalizeEvent(payload, {
    envelopeEventId: row.event_id ?? undefined,
    receivedAt: row.received_at.getTime() / 1000,
    sentAt: row.sent_at ?? undefined,
    clientIp: row.client_ip ?? undefined,
  });
}

/**
 * Groups, titles and serializes a normalized event (after plugins' processEvent, if any). Throws
 * when the event can't be written as JSON (the worker then sets that event aside).
 */
export function prepareNormalized(row: RawEventRow, event: NormalizedEvent): PreparedEvent {
  const grouping = computeGrouping(event);
  const issue = deriveIssueMetadata(event);
  return {
    rawId: row.id,
    projectId: row.project_id,
    receivedAt: row.received_at,
    timestamp: new Date(event.timestamp * 1000),
    event,
    grouping,
    issue,
    userKey: userKeyOf(event),
    isUnhandled: isUnhandled(event),
    dataJson: pgJson({
      ...event,
      type: issue.type,
      title: issue.title,
      culprit: issue.culprit,
      metadata: issue.metadata,
      hashes: grouping.hashes,
      grouping_config: { id: grouping.version, variant: grouping.variant },
    }),
  };
}
