import type { Comparison, ValuePattern } from './ast';
import { SearchSyntaxError } from './errors';
import { unescapeQuoted } from './lexer';

/**
 * Reading the value half of `key:value`: lists, quotes, wildcards, comparisons, numbers and times.
 * Each reader throws a `SearchSyntaxError` pointing at the filter it was given.
 */

/** Where a value came from, for errors. */
export interface ValueSource {
  token: string;
  start: number;
}

function fail(source: ValueSource, problem: string): never {
  throw new SearchSyntaxError(problem, source.token, source.start);
}

/** Splits on commas outside double quotes. */
function splitCommas(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && quoted) {
      current += ch + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? unescapeQuoted(text) : text;
}

/**
 * `a`, `"a b"`, `[a, "b c"]` and (as Faultline always accepted) `a,b`: the values of one filter,
 * any of which may match.
 */
export function listValues(raw: string, source: ValueSource): string[] {
  const inner = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  const values = splitCommas(inner)
    .map((part) => unquote(part.trim()))
    .filter((value) => value !== '');
  if (values.length === 0) fail(source, 'the filter has no value');
  return values;
}

/** `*` matches any run of characters; everything else is literal. */
export function patternOf(value: string): ValuePattern {
  return value.includes('*') ? { wildcard: value.split('*') } : { exact: value };
}

/** A leading `>`, `>=`, `<`, `<=` or `=` (none means `=`). */
export function splitComparison(raw: string): { op: Comparison; rest: string } {
  const match = /^(>=|<=|>|<|=)?(.*)$/s.exec(raw)!;
  return { op: (match[1] as Comparison | undefined) ?? '=', rest: match[2] };
}

const NUMBER_SUFFIX: Record<string, number> = { '': 1, k: 1_000, m: 1_000_000, b: 1_000_000_000 };

/** `100`, `1.5k`, `2m`: a count. */
export function countOf(text: string, source: ValueSource): number {
  const match = /^(\d{1,15}(?:\.\d+)?)([kmb]?)$/i.exec(text);
  if (!match) fail(source, `"${text}" is not a number (e.g. 100, >100, <=1k)`);
  return Math.round(Number(match[1]) * NUMBER_SUFFIX[match[2].toLowerCase()]);
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const ISO_TIME = /^\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?(?:Z|[+-]\d\d:?\d\d)?)?$/;

/** A time a filter names: a moment, or (a bare date) a whole UTC day. */
export type TimeValue =
  { relative: true; sign: '-' | '+'; at: Date } | { relative: false; from: Date; to?: Date; op: Comparison };

/**
 * `-24h` (within the last 24 hours), `+7d` (longer ago than 7 days), units m, h, d, w; or an ISO
 * date or date-time with an optional comparison (`>2024-05-01`, `<=2024-05-01T12:00:00Z`).
 */
export function timeOf(raw: string, now: Date, source: ValueSource): TimeValue {
  const relative = /^([+-])(\d{1,6})([mhdw])$/.exec(raw);
  if (relative) {
    const [, sign, amount, unit] = relative;
    return {
      relative: true,
      sign: sign as '-' | '+',
      at: new Date(now.getTime() - Number(amount) * UNIT_MS[unit]),
    };
  }
  const { op, rest } = splitComparison(raw);
  if (!ISO_TIME.test(rest)) {
    fail(source, `"${raw}" is not a time; use -24h, +7d (units m, h, d, w) or a date such as >2024-05-01`);
  }
  const dateOnly = rest.length === 10;
  // A date without a zone is a UTC date, as Sentry reads it.
  const from = new Date(dateOnly || /[Z+-]\d*:?\d*$/.test(rest.slice(10)) ? rest : `${rest}Z`);
  if (Number.isNaN(from.getTime())) fail(source, `"${rest}" is not a valid date`);
  if (op === '=' && !dateOnly) fail(source, 'compare a date-time with >, >=, < or <=, or name a whole day');
  const to = op === '=' ? new Date(from.getTime() + UNIT_MS.d) : undefined;
  return { relative: false, from, to, op };
}
