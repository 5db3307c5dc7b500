/**
 * The event a `processEvent` hook sees: Faultline's normalized event, in Sentry's field names. The
 * fields below are the ones plugins commonly read or change; everything else the SDK sent is kept
 * under its own name. Whatever a hook returns is normalized again by the host, so a malformed field
 * is dropped rather than stored.
 */
export type EventLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

export interface PluginEvent {
  event_id: string;
  /** Epoch seconds. */
  timestamp: number;
  platform: string;
  level?: EventLevel;
  message?: string;
  logger?: string;
  transaction?: string;
  server_name?: string;
  release?: string;
  dist?: string;
  environment?: string;
  /** Always a list of `[key, value]` pairs. */
  tags?: [string, string][];
  extra?: Record<string, unknown>;
  user?: { id?: string; email?: string; username?: string; ip_address?: string; [key: string]: unknown };
  request?: { url?: string; method?: string; [key: string]: unknown };
  fingerprint?: string[];
  exception?: { values: { type?: string; value?: string; [key: string]: unknown }[] };
  [key: string]: unknown;
}

/** Returns the event with `key` set to `value`, replacing an existing tag of that key. */
export function withTag(event: PluginEvent, key: string, value: string): PluginEvent {
  const tags = (event.tags ?? []).filter(([k]) => k !== key);
  return { ...event, tags: [...tags, [key, value]] };
}

/** The value of tag `key`, if the event has one. */
export function tagValue(event: PluginEvent, key: string): string | undefined {
  return event.tags?.find(([k]) => k === key)?.[1];
}
