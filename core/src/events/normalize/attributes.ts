import type { Level } from '../types';
import { parseLevel } from './level';
import type { Report } from './report';
import { invalid } from './report';
import { trimString } from './trim';
import { isAbsent, lenientString } from './values';

/** Platforms Sentry knows (its `VALID_PLATFORMS`); anything else is stored as `other`. */
// prettier-ignore
const PLATFORMS: ReadonlySet<string> = new Set([
  'as3', 'c', 'cfml', 'cocoa', 'csharp', 'elixir', 'haskell', 'go', 'groovy', 'java', 'javascript',
  'native', 'node', 'objc', 'other', 'perl', 'php', 'python', 'ruby',
]);

export const DEFAULT_LEVEL: Level = 'error';
export const DEFAULT_PLATFORM = 'other';
export const DEFAULT_ENVIRONMENT = 'production';

/**
 * A whitespace-trimmed string of at most `max` characters. Numbers and booleans are converted;
 * other shapes are dropped with an error. Empty strings count as absent.
 */
export function optionalString(
  value: unknown,
  path: string,
  max: number,
  report: Report,
): string | undefined {
  if (isAbsent(value)) return undefined;
  const text = lenientString(value);
  if (text === undefined) {
    invalid(report, path, value);
    return undefined;
  }
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimString(trimmed, max, path, report);
}

export function normalizeLevel(value: unknown, report: Report): Level {
  if (isAbsent(value)) return DEFAULT_LEVEL;
  const level = parseLevel(value);
  if (level) return level;
  invalid(report, 'level', value);
  return DEFAULT_LEVEL;
}

export function normalizePlatform(value: unknown, report: Report): string {
  if (isAbsent(value)) return DEFAULT_PLATFORM;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text !== undefined && PLATFORMS.has(text)) return text;
  invalid(report, 'platform', value);
  return DEFAULT_PLATFORM;
}

export function normalizeEnvironment(value: unknown, max: number, report: Report): string {
  return optionalString(value, 'environment', max, report) ?? DEFAULT_ENVIRONMENT;
}
