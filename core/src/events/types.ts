/**
 * The canonical shape of an error event after normalization. It keeps Sentry's field names
 * (snake_case, as Relay's normalized events do) so the stored JSON reads like what Sentry stores,
 * but every optional wire variant has been folded into one form:
 * - `exception` is always `{ values }`, oldest first (the thrown exception is last);
 * - `breadcrumbs` is always `{ values }`;
 * - `tags` is always a list of `[key, value]` string pairs;
 * - `timestamp` is epoch seconds (float), corrected for client clock drift;
 * - `message` holds the formatted message text (from `message` or `logentry`).
 */
/** The levels an event can have, most severe first: what `level` is stored as and searched by. */
export const LEVELS = ['fatal', 'error', 'warning', 'info', 'debug'] as const;
export type Level = (typeof LEVELS)[number];

export interface StackFrame {
  filename?: string;
  abs_path?: string;
  module?: string;
  function?: string;
  lineno?: number;
  colno?: number;
  in_app?: boolean;
  context_line?: string;
  pre_context?: string[];
  post_context?: string[];
  vars?: Record<string, unknown>;
  platform?: string;
}

export interface Stacktrace {
  frames: StackFrame[];
}

export interface Mechanism {
  type?: string;
  handled?: boolean;
  synthetic?: boolean;
  exception_id?: number;
  parent_id?: number;
  source?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ExceptionValue {
  type?: string;
  value?: string;
  module?: string;
  mechanism?: Mechanism;
  stacktrace?: Stacktrace;
}

export interface Breadcrumb {
  timestamp?: number;
  type?: string;
  category?: string;
  level?: Level;
  message?: string;
  data?: Record<string, unknown>;
}

export interface EventUser {
  id?: string;
  email?: string;
  username?: string;
  ip_address?: string;
  [key: string]: unknown;
}

export interface EventRequest {
  url?: string;
  method?: string;
  headers?: [string, string][];
  query_string?: string;
  data?: unknown;
  cookies?: unknown;
  env?: Record<string, unknown>;
}

/**
 * One remark of Sentry's `_meta`: `[rule id, type]`, plus the character range it covers for a
 * substitution. Faultline's only rule is `!limit` (a normalization limit); its types are `s`
 * (substituted: a string cut and ended with `...`) and `x` (removed: a value too deep or over its
 * bag's size).
 */
export type MetaRemark =
  [rule: string, type: 's' | 'x'] | [rule: string, type: 's' | 'x', start: number, end: number];

/** What Sentry's `_meta` says about one value: `rem` what was done, `len` its original length. */
export interface MetaEntry {
  rem?: MetaRemark[];
  /** Original length: characters for strings, items for lists and objects. */
  len?: number;
}

/**
 * Sentry's `_meta`: a tree shaped like the event, where the key `""` holds the `MetaEntry` of the
 * value at that place, e.g. `{ extra: { big: { "": { rem: [["!limit", "x"]], len: 3 } } } }`.
 */
export interface MetaTree {
  ''?: MetaEntry;
  [segment: string]: MetaTree | MetaEntry | undefined;
}

/** A problem found in the payload that did not stop processing (Sentry calls these event errors). */
export interface ProcessingError {
  type: string;
  name?: string;
  value?: unknown;
}

export interface NormalizedEvent {
  event_id: string;
  /** Event time, epoch seconds. */
  timestamp: number;
  /** When Faultline received it, epoch seconds. */
  received: number;
  platform: string;
  level: Level;
  environment: string;
  release?: string;
  dist?: string;
  logger?: string;
  transaction?: string;
  server_name?: string;
  culprit?: string;
  message?: string;
  logentry?: { message?: string; formatted?: string; params?: unknown };
  tags: [string, string][];
  extra?: Record<string, unknown>;
  contexts?: Record<string, Record<string, unknown>>;
  user?: EventUser;
  request?: EventRequest;
  breadcrumbs?: { values: Breadcrumb[] };
  exception?: { values: ExceptionValue[] };
  /** A legacy top-level stack trace (events without `exception` or `threads`), normalized like one. */
  stacktrace?: Stacktrace;
  threads?: unknown;
  fingerprint?: string[];
  sdk?: { name?: string; version?: string; [key: string]: unknown };
  modules?: Record<string, string>;
  _meta?: MetaTree;
  errors?: ProcessingError[];
}

/** What the request path knows about an event besides its payload. */
export interface NormalizeContext {
  /** `event_id` from the envelope header; wins over the payload's. */
  envelopeEventId?: string;
  /** Epoch seconds when the request arrived. */
  receivedAt: number;
  /** Envelope header `sent_at`, epoch seconds, used to correct client clock drift. */
  sentAt?: number;
  /** Address the request came from, used when the SDK asks for `{{auto}}` IP inference. */
  clientIp?: string;
}
