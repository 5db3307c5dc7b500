import type { NormalizeContext, NormalizedEvent } from '../types';
import { normalizeEvent } from './event';

/** A fixed "now" for tests: 2026-11-24T19:02:32.917Z, when fixture node-a arrived. */
export const RECEIVED_AT = 1795546952.917;

export const EVENT_ID = '6c769eae20194b14b6676be7dac1c2d9';

/** Normalizes `payload` merged over a minimal valid event, with a frozen receive time. */
export function normalize(
  payload: Record<string, unknown>,
  ctx: Partial<NormalizeContext> = {},
): NormalizedEvent {
  return normalizeEvent(
    { event_id: EVENT_ID, timestamp: RECEIVED_AT - 1, platform: 'node', ...payload },
    { receivedAt: RECEIVED_AT, ...ctx },
  );
}

/** The error types recorded for `path`. */
export function errorTypesAt(event: NormalizedEvent, path: string): string[] {
  return (event.errors ?? []).filter((error) => error.name === path).map((error) => error.type);
}

export function tagValue(event: NormalizedEvent, key: string): string | undefined {
  return event.tags.find(([k]) => k === key)?.[1];
}
