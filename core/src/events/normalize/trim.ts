import type { MetaEntry } from '../types';
import type { Report } from './report';
import { recordTrim } from './report';

/**
 * A databag (free-form JSON such as `extra` or a frame's `vars`) keeps at most `maxDepth` levels
 * and about `maxBytes` of estimated JSON; what lies beyond is removed and recorded in `_meta`.
 * Relay's `BagSize` figures.
 */
export const BAG_SIZES = {
  small: { maxDepth: 3, maxBytes: 1024 },
  medium: { maxDepth: 5, maxBytes: 2048 },
  large: { maxDepth: 7, maxBytes: 8192 },
  larger: { maxDepth: 7, maxBytes: 16384 },
  massive: { maxDepth: 7, maxBytes: 262_144 },
} as const;

export type BagSize = keyof typeof BAG_SIZES;

/**
 * Every normalization limit, in one place: string lengths in code points, list lengths in items,
 * and the bag size of each free-form field. Mostly Relay's figures (docs/ingestion-limits.md lists them).
 */
export const LIMITS = {
  message: 8192,
  exceptionValue: 8192,
  tagKey: 32,
  tagValue: 200,
  environment: 64,
  /** release, transaction, server_name…: they become tag values, so the tag value limit fits. */
  shortString: 200,
  dist: 64,
  logger: 64,
  frames: 50,
  breadcrumbs: 100,
  /** Threads of one event (Relay keeps them all; a payload is at most MAX_EVENT_BYTES anyway). */
  threads: 250,
  bags: {
    extra: 'massive',
    /** Each context (`contexts.os`, `contexts.trace`, …) is a bag of its own. */
    context: 'large',
    requestData: 'large',
    requestEnv: 'large',
    requestCookies: 'medium',
    breadcrumbData: 'medium',
    frameVars: 'medium',
    logentryParams: 'medium',
    mechanism: 'medium',
    /** `user` fields besides id, email, username and ip_address. */
    userOther: 'medium',
    /** `sdk` fields besides name and version (integrations, packages, settings). */
    sdkOther: 'large',
    /** A thread's fields besides its stack trace. */
    threadOther: 'medium',
  } satisfies Record<string, BagSize>,
} as const;

const ELLIPSIS = '...';

/** Length in code points, which is what Relay counts. */
function codePointLength(value: string): number {
  return value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
}

/**
 * Shortens `value` to at most `max` code points (ending in `...`), without splitting a surrogate pair.
 * Returns the result and the original length when it was cut.
 */
export function truncateString(value: string, max: number): { value: string; originalLength?: number } {
  // UTF-16 length is an upper bound of the code point count: the fast path skips counting.
  if (value.length <= max) return { value };
  const originalLength = codePointLength(value);
  if (originalLength <= max) return { value };
  const keep = Math.max(0, max - ELLIPSIS.length);
  return { value: Array.from(value).slice(0, keep).join('') + ELLIPSIS, originalLength };
}

/** The `_meta` entry of a cut string: `...` replaced the end, which was `originalLength` long. */
export function limitMeta(result: { value: string; originalLength?: number }): MetaEntry {
  const kept = Array.from(result.value).length - ELLIPSIS.length;
  return { rem: [['!limit', 's', kept, kept + ELLIPSIS.length]], len: result.originalLength };
}

/** `truncateString` that records the cut in `_meta` under `path`. */
export function trimString(value: string, max: number, path: string, report: Report): string {
  const result = truncateString(value, max);
  if (result.originalLength !== undefined) {
    recordTrim(report, path, limitMeta(result));
  }
  return result.value;
}

/** Keeps the first and last `max / 2` items (the outermost caller and the crashing frames). */
export function keepEnds<T>(items: T[], max: number, path: string, report: Report): T[] {
  if (items.length <= max) return items;
  const head = Math.ceil(max / 2);
  const tail = max - head;
  recordTrim(report, path, { len: items.length });
  return [...items.slice(0, head), ...items.slice(items.length - tail)];
}

/** Keeps the newest `max` items (the end of the list). */
export function keepLast<T>(items: T[], max: number, path: string, report: Report): T[] {
  if (items.length <= max) return items;
  recordTrim(report, path, { len: items.length });
  return items.slice(items.length - max);
}
