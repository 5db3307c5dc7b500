import type { Report } from './report';
import { recordTrim } from './report';

/** Size limits, as Relay applies them. */
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

/** `truncateString` that records the cut in `_meta` under `path`. */
export function trimString(value: string, max: number, path: string, report: Report): string {
  const result = truncateString(value, max);
  if (result.originalLength !== undefined) {
    recordTrim(report, path, { original_length: result.originalLength, action: 'truncated' });
  }
  return result.value;
}

/** Keeps the first and last `max / 2` items (the outermost caller and the crashing frames). */
export function keepEnds<T>(items: T[], max: number, path: string, report: Report): T[] {
  if (items.length <= max) return items;
  const head = Math.ceil(max / 2);
  const tail = max - head;
  recordTrim(report, path, { original_length: items.length, action: 'frames_dropped' });
  return [...items.slice(0, head), ...items.slice(items.length - tail)];
}

/** Keeps the newest `max` items (the end of the list). */
export function keepLast<T>(items: T[], max: number, path: string, report: Report): T[] {
  if (items.length <= max) return items;
  recordTrim(report, path, { original_length: items.length, action: 'items_dropped' });
  return items.slice(items.length - max);
}
