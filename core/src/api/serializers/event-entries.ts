import { z } from 'zod';
import type {
  Breadcrumb,
  EventRequest,
  ExceptionValue,
  NormalizedEvent,
  StackFrame,
  Stacktrace,
} from '../../events';
import { isoDate } from './dates';

const sentryFrameSchema = z
  .strictObject({
    filename: z.string().nullable(),
    absPath: z.string().nullable(),
    module: z.string().nullable(),
    package: z.null(),
    platform: z.string().nullable(),
    instructionAddr: z.null(),
    symbolAddr: z.null(),
    function: z.string().nullable(),
    rawFunction: z.null(),
    symbol: z.null(),
    context: z.array(z.tuple([z.number().int(), z.string()])),
    lineNo: z.number().int().nullable(),
    colNo: z.number().int().nullable(),
    inApp: z.boolean(),
    trust: z.null(),
    errors: z.null(),
    vars: z.record(z.string(), z.unknown()).nullable(),
    /** Faultline's: the frame's source line (e.g. on GitHub), from a plugin; in-app frames only. */
    sourceLink: z.url().optional(),
  })
  .meta({ id: 'Frame' });
export type SentryFrame = z.infer<typeof sentryFrameSchema>;

const sentryStacktraceSchema = z
  .strictObject({
    frames: z.array(sentryFrameSchema),
    framesOmitted: z.null(),
    registers: z.null(),
    hasSystemFrames: z.boolean(),
  })
  .meta({ id: 'Stacktrace' });
type SentryStacktrace = z.infer<typeof sentryStacktraceSchema>;

const sentryExceptionValueSchema = z.strictObject({
  type: z.string().nullable(),
  value: z.string().nullable(),
  module: z.string().nullable(),
  /** As the SDK sent it (`type`, `handled`, `synthetic`…). */
  mechanism: z.looseObject({}).nullable(),
  threadId: z.null(),
  stacktrace: sentryStacktraceSchema.nullable(),
  rawStacktrace: z.null(),
});

const sentryBreadcrumbSchema = z.strictObject({
  type: z.string(),
  category: z.string().nullable(),
  level: z.string(),
  message: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  timestamp: z.iso.datetime().nullable(),
  event_id: z.null(),
});
type SentryBreadcrumb = z.infer<typeof sentryBreadcrumbSchema>;

const pairs = z.array(z.tuple([z.string(), z.string()]));

/**
 * Sentry's event `entries`: the interfaces of an event (exception, message, breadcrumbs, request…)
 * in the camelCase shape Sentry's API gives them, which differs from the stored snake_case event.
 */
export const sentryEntrySchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('exception'),
      data: z.strictObject({
        values: z.array(sentryExceptionValueSchema),
        hasSystemFrames: z.boolean(),
        excOmitted: z.null(),
      }),
    }),
    z.strictObject({ type: z.literal('stacktrace'), data: sentryStacktraceSchema }),
    z.strictObject({ type: z.literal('threads'), data: z.unknown() }),
    z.strictObject({
      type: z.literal('message'),
      data: z.strictObject({ formatted: z.string(), message: z.string().nullable(), params: z.unknown() }),
    }),
    z.strictObject({
      type: z.literal('breadcrumbs'),
      data: z.strictObject({ values: z.array(sentryBreadcrumbSchema) }),
    }),
    z.strictObject({
      type: z.literal('request'),
      data: z.strictObject({
        url: z.string().nullable(),
        method: z.string().nullable(),
        query: pairs,
        fragment: z.string().nullable(),
        data: z.unknown(),
        headers: pairs,
        cookies: pairs,
        env: z.record(z.string(), z.unknown()).nullable(),
        inferredContentType: z.string().nullable(),
        apiTarget: z.null(),
      }),
    }),
  ])
  .meta({ id: 'EventEntry' });
export type SentryEntry = z.infer<typeof sentryEntrySchema>;

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
