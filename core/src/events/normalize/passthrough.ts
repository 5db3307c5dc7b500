import type { NormalizedEvent } from '../types';
import { trimObjectBag } from './databag';
import type { Report } from './report';
import { invalid, setOwn } from './report';
import { normalizeStacktrace } from './stacktrace';
import { keepLast, LIMITS, type BagSize } from './trim';
import { isAbsent, isRecord, lenientString } from './values';

/** An object kept as sent; other shapes are dropped with an error. */
export function objectField(
  value: unknown,
  path: string,
  report: Report,
): Record<string, unknown> | undefined {
  if (isAbsent(value)) return undefined;
  if (isRecord(value)) return value;
  invalid(report, path, value);
  return undefined;
}

/** `extra`: an object, trimmed to its bag size. */
export function normalizeExtra(value: unknown, report: Report): Record<string, unknown> | undefined {
  const extra = objectField(value, 'extra', report);
  return extra && trimObjectBag(extra, LIMITS.bags.extra, ['extra'], report);
}

/**
 * The fields of `value` but `known` ones, trimmed together as one bag of `size` under `path` (the
 * free-form rest of a structured object: a user's custom fields, a mechanism's extra keys…).
 */
export function otherFields(
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
  size: BagSize,
  path: string[],
  report: Report,
): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!known.has(key) && !isAbsent(field)) setOwn(rest, key, field);
  }
  // Trimmed at the object's own level, so `_meta` paths match where the fields are stored.
  return trimObjectBag(rest, size, path, report);
}

const SDK_KNOWN: ReadonlySet<string> = new Set(['name', 'version']);

/** `sdk` with `name` and `version` as strings; its other fields kept, trimmed to a bag. */
export function normalizeSdk(value: unknown, report: Report): NormalizedEvent['sdk'] {
  const sdk = objectField(value, 'sdk', report);
  if (!sdk) return undefined;
  const result: NonNullable<NormalizedEvent['sdk']> = otherFields(
    sdk,
    SDK_KNOWN,
    LIMITS.bags.sdkOther,
    ['sdk'],
    report,
  );
  for (const key of SDK_KNOWN) {
    if (isAbsent(sdk[key])) continue;
    const text = lenientString(sdk[key]);
    if (text === undefined) invalid(report, `sdk.${key}`, sdk[key]);
    else result[key] = text;
  }
  return result;
}

/** `modules`: package name → version string. */
export function normalizeModules(value: unknown, report: Report): Record<string, string> | undefined {
  const modules = objectField(value, 'modules', report);
  if (!modules) return undefined;
  const result: Record<string, string> = {};
  for (const [name, version] of Object.entries(modules)) {
    const text = lenientString(version);
    if (text === undefined) invalid(report, `modules.${name}`, version);
    else result[name] = text;
  }
  return result;
}

const THREAD_KNOWN: ReadonlySet<string> = new Set(['stacktrace']);

/** One thread: its stack trace normalized like an exception's, its other fields kept as a bag. */
function normalizeThread(value: unknown, path: string, report: Report): unknown {
  if (!isRecord(value)) {
    if (!isAbsent(value)) invalid(report, path, value);
    return null;
  }
  const thread = otherFields(value, THREAD_KNOWN, LIMITS.bags.threadOther, path.split('.'), report);
  const stacktrace = normalizeStacktrace(value.stacktrace, `${path}.stacktrace`, report);
  if (stacktrace) thread.stacktrace = stacktrace;
  return thread;
}

/**
 * `threads` as `{values}` (a bare list is wrapped, like `exception`); each thread's stack trace is
 * normalized and its other fields trimmed, so nothing in here is deeper or bigger than a limit.
 */
export function normalizeThreads(value: unknown, report: Report): { values: unknown[] } | undefined {
  if (isAbsent(value)) return undefined;
  const list = Array.isArray(value) ? value : isRecord(value) ? value.values : undefined;
  if (!Array.isArray(list)) {
    if (!(isRecord(value) && isAbsent(value.values))) invalid(report, 'threads', value);
    return undefined;
  }
  const kept = keepLast(list, LIMITS.threads, 'threads.values', report);
  return { values: kept.map((thread, i) => normalizeThread(thread, `threads.values.${i}`, report)) };
}
