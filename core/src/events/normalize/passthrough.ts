import type { NormalizedEvent } from '../types';
import type { Report } from './report';
import { invalid } from './report';
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

/** `sdk` kept as sent, with `name` and `version` as strings. */
export function normalizeSdk(value: unknown, report: Report): NormalizedEvent['sdk'] {
  const sdk = objectField(value, 'sdk', report);
  if (!sdk) return undefined;
  const result: NonNullable<NormalizedEvent['sdk']> = { ...sdk };
  for (const key of ['name', 'version'] as const) {
    if (isAbsent(sdk[key])) continue;
    const text = lenientString(sdk[key]);
    if (text === undefined) {
      invalid(report, `sdk.${key}`, sdk[key]);
      delete result[key];
    } else result[key] = text;
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

/** `threads`: `{values}` kept as sent; a bare list is wrapped into `{values}` like `exception`. */
export function normalizeThreads(value: unknown, report: Report): unknown {
  if (Array.isArray(value)) return { values: value };
  return objectField(value, 'threads', report);
}
