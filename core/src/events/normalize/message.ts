import type { NormalizedEvent } from '../types';
import { trimBag } from './databag';
import type { Report } from './report';
import { invalid } from './report';
import { LIMITS, trimString } from './trim';
import { isAbsent, isRecord, jsonLenientString, lenientString } from './values';

export type LogEntry = NonNullable<NormalizedEvent['logentry']>;

function paramText(param: unknown): string {
  return jsonLenientString(param) ?? String(param);
}

/**
 * Fills printf-style placeholders: positional `%s`/`%d`/`%i`/`%f` from a list, `%(name)s` from an
 * object (Python logging), `%%` as a literal `%`. Placeholders without a parameter stay as written.
 */
export function formatMessage(template: string, params: unknown): string {
  let position = 0;
  return template.replace(
    /%(?:\(([^)]+)\))?([sdif%])/g,
    (placeholder, name: string | undefined, kind: string) => {
      if (kind === '%') return name === undefined ? '%' : placeholder;
      if (name !== undefined) {
        return isRecord(params) && Object.hasOwn(params, name) ? paramText(params[name]) : placeholder;
      }
      if (!Array.isArray(params) || position >= params.length) return placeholder;
      return paramText(params[position++]);
    },
  );
}

function logEntryString(
  entry: Record<string, unknown>,
  key: string,
  path: string,
  report: Report,
): string | undefined {
  const value = entry[key];
  if (isAbsent(value)) return undefined;
  const text = jsonLenientString(value);
  if (text === undefined) invalid(report, `${path}.${key}`, value);
  return text === undefined ? undefined : trimString(text, LIMITS.message, `${path}.${key}`, report);
}

function normalizeLogEntry(value: unknown, path: string, report: Report): LogEntry | undefined {
  if (isAbsent(value)) return undefined;
  if (!isRecord(value)) {
    // A bare string (or number) is shorthand for the formatted text.
    const text = lenientString(value);
    if (text === undefined) invalid(report, path, value);
    return text === undefined ? undefined : { formatted: trimString(text, LIMITS.message, path, report) };
  }
  const entry: LogEntry = {};
  const message = logEntryString(value, 'message', path, report);
  if (message !== undefined) entry.message = message;
  const formatted = logEntryString(value, 'formatted', path, report);
  if (formatted !== undefined) entry.formatted = formatted;
  if (!isAbsent(value.params)) entry.params = value.params;
  return entry.message !== undefined || entry.formatted !== undefined ? entry : undefined;
}

/**
 * The display text from `logentry` (preferred, as Relay treats `message` as its legacy alias) or
 * `message`, each a string or `{message, params, formatted}`. `logentry` is returned when the payload
 * carried the structured form, so the template stays available for grouping.
 */
export function normalizeMessage(
  message: unknown,
  logentry: unknown,
  report: Report,
): { message?: string; logentry?: LogEntry } {
  const fromLogentry = normalizeLogEntry(logentry, 'logentry', report);
  const fromMessage = normalizeLogEntry(message, 'message', report);
  const entry = fromLogentry ?? fromMessage;
  if (!entry) return {};
  const params = entry.params;
  const text =
    entry.formatted ??
    (entry.message !== undefined && !isAbsent(params) ? formatMessage(entry.message, params) : entry.message);
  const result: { message?: string; logentry?: LogEntry } = {};
  if (text !== undefined && text.trim() !== '') {
    result.message = trimString(text, LIMITS.message, 'message', report);
  }
  if (fromLogentry || isRecord(message)) {
    // Formatted with the params as sent; they are stored trimmed, like any databag.
    result.logentry = isAbsent(params)
      ? entry
      : { ...entry, params: trimBag(params, LIMITS.bags.logentryParams, ['logentry', 'params'], report) };
  }
  return result;
}
