import type {
  Breadcrumb,
  EventRequest,
  ExceptionValue,
  NormalizedEvent,
  StackFrame,
  Stacktrace,
} from '../../events';
import { isoDate } from './dates';

/**
 * Sentry's event `entries`: the interfaces of an event (exception, message, breadcrumbs, request…)
 * in the camelCase shape Sentry's API gives them, which differs from the stored snake_case event.
 */
export type SentryEntry =
  | {
      type: 'exception';
      data: { values: SentryExceptionValue[]; hasSystemFrames: boolean; excOmitted: null };
    }
  | { type: 'stacktrace'; data: SentryStacktrace }
  | { type: 'threads'; data: unknown }
  | { type: 'message'; data: { formatted: string; message: string | null; params: unknown } }
  | { type: 'breadcrumbs'; data: { values: SentryBreadcrumb[] } }
  | { type: 'request'; data: SentryRequest };

export interface SentryFrame {
  filename: string | null;
  absPath: string | null;
  module: string | null;
  package: null;
  platform: string | null;
  instructionAddr: null;
  symbolAddr: null;
  function: string | null;
  rawFunction: null;
  symbol: null;
  context: [number, string][];
  lineNo: number | null;
  colNo: number | null;
  inApp: boolean;
  trust: null;
  errors: null;
  vars: Record<string, unknown> | null;
}

export interface SentryStacktrace {
  frames: SentryFrame[];
  framesOmitted: null;
  registers: null;
  hasSystemFrames: boolean;
}

export interface SentryExceptionValue {
  type: string | null;
  value: string | null;
  module: string | null;
  mechanism: ExceptionValue['mechanism'] | null;
  threadId: null;
  stacktrace: SentryStacktrace | null;
  rawStacktrace: null;
}

export interface SentryBreadcrumb {
  type: string;
  category: string | null;
  level: string;
  message: string | null;
  data: Record<string, unknown> | null;
  timestamp: string | null;
  event_id: null;
}

export interface SentryRequest {
  url: string | null;
  method: string | null;
  query: [string, string][];
  fragment: string | null;
  data: unknown;
  headers: [string, string][];
  cookies: [string, string][];
  env: Record<string, unknown> | null;
  inferredContentType: string | null;
  apiTarget: null;
}

/** Source lines around the frame's line, numbered: `[[lineNo, text], …]`, as Sentry sends them. */
function frameContext(frame: StackFrame): [number, string][] {
  if (frame.lineno === undefined || frame.context_line === undefined) return [];
  const before = frame.pre_context ?? [];
  const after = frame.post_context ?? [];
  const first = frame.lineno - before.length;
  return [...before, frame.context_line, ...after].map((line, i) => [first + i, line]);
}

function serializeFrame(frame: StackFrame): SentryFrame {
  return {
    filename: frame.filename ?? null,
    absPath: frame.abs_path ?? null,
    module: frame.module ?? null,
    package: null,
    platform: frame.platform ?? null,
    instructionAddr: null,
    symbolAddr: null,
    function: frame.function ?? null,
    rawFunction: null,
    symbol: null,
    context: frameContext(frame),
    lineNo: frame.lineno ?? null,
    colNo: frame.colno ?? null,
    inApp: frame.in_app ?? false,
    trust: null,
    errors: null,
    vars: frame.vars ?? null,
  };
}

/** Sentry's rule: system frames are worth a separate view only when app and system frames are mixed. */
function hasSystemFrames(stacktraces: (Stacktrace | undefined)[]): boolean {
  const frames = stacktraces.flatMap((s) => s?.frames ?? []);
  return frames.some((f) => f.in_app === true) && frames.some((f) => f.in_app !== true);
}

function serializeStacktrace(stacktrace: Stacktrace, mixed: boolean): SentryStacktrace {
  return {
    frames: stacktrace.frames.map(serializeFrame),
    framesOmitted: null,
    registers: null,
    hasSystemFrames: mixed,
  };
}

function exceptionEntry(values: ExceptionValue[]): SentryEntry {
  const mixed = hasSystemFrames(values.map((v) => v.stacktrace));
  return {
    type: 'exception',
    data: {
      values: values.map((v) => ({
        type: v.type ?? null,
        value: v.value ?? null,
        module: v.module ?? null,
        mechanism: v.mechanism ?? null,
        threadId: null,
        stacktrace: v.stacktrace ? serializeStacktrace(v.stacktrace, mixed) : null,
        rawStacktrace: null,
      })),
      hasSystemFrames: mixed,
      excOmitted: null,
    },
  };
}

function serializeBreadcrumb(crumb: Breadcrumb): SentryBreadcrumb {
  return {
    type: crumb.type ?? 'default',
    category: crumb.category ?? null,
    level: crumb.level ?? 'info',
    message: crumb.message ?? null,
    data: crumb.data ?? null,
    timestamp: crumb.timestamp === undefined ? null : isoDate(new Date(crumb.timestamp * 1000)),
    event_id: null,
  };
}

/** Query strings and cookies arrive as a string, a map or a list of pairs; Sentry shows pairs. */
function toPairs(value: unknown, separator: '&' | ';'): [string, string][] {
  if (typeof value === 'string') {
    if (separator === '&') return [...new URLSearchParams(value.replace(/^\?/, '')).entries()];
    return value
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const eq = part.indexOf('=');
        return eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
      });
  }
  if (Array.isArray(value)) {
    return value
      .filter((p): p is [unknown, unknown] => Array.isArray(p) && p.length === 2)
      .map(([k, v]) => [String(k), String(v)]);
  }
  if (value !== null && typeof value === 'object')
    return Object.entries(value).map(([k, v]) => [k, String(v)]);
  return [];
}

function requestEntry(request: EventRequest): SentryEntry {
  const headers = toPairs(request.headers, '&').sort(([a], [b]) => a.localeCompare(b));
  const contentType = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? null;
  // Sentry shows the URL without its query and fragment, which get their own fields.
  const [withQuery, fragment] = (request.url ?? '').split('#', 2);
  const [url, urlQuery] = withQuery.split('?', 2);
  return {
    type: 'request',
    data: {
      url: url || null,
      method: request.method ?? null,
      query: toPairs(request.query_string ?? urlQuery, '&'),
      fragment: fragment || null,
      data: request.data ?? null,
      headers,
      cookies: toPairs(request.cookies, ';'),
      env: request.env ?? null,
      inferredContentType: contentType,
      apiTarget: null,
    },
  };
}

/** The entries of a stored event, in the order Sentry shows them. */
export function eventEntries(event: Partial<NormalizedEvent>): SentryEntry[] {
  const entries: SentryEntry[] = [];
  if (event.exception && event.exception.values.length > 0)
    entries.push(exceptionEntry(event.exception.values));
  if (event.stacktrace) {
    entries.push({
      type: 'stacktrace',
      data: serializeStacktrace(event.stacktrace, hasSystemFrames([event.stacktrace])),
    });
  }
  if (event.threads !== undefined && event.threads !== null)
    entries.push({ type: 'threads', data: event.threads });
  if (event.message) {
    entries.push({
      type: 'message',
      data: {
        formatted: event.message,
        message: event.logentry?.message ?? null,
        params: event.logentry?.params ?? null,
      },
    });
  }
  if (event.breadcrumbs && event.breadcrumbs.values.length > 0) {
    entries.push({
      type: 'breadcrumbs',
      data: { values: event.breadcrumbs.values.map(serializeBreadcrumb) },
    });
  }
  if (event.request) entries.push(requestEntry(event.request));
  return entries;
}
