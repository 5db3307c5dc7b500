import type { EventRequest } from '../types';
import { trimBag, trimObjectBag } from './databag';
import type { Report } from './report';
import { invalid } from './report';
import { LIMITS } from './trim';
import { isAbsent, isRecord, lenientString } from './values';

type Pair = [string, string];

/** `x-forwarded-for` → `X-Forwarded-For`, the header name form Relay stores. */
export function headerName(name: string): string {
  return name
    .trim()
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

/** Object (values may be lists) or `[key, value]` pairs → string pairs. Bad entries are dropped. */
function toPairs(value: unknown, path: string, report: Report): Pair[] {
  const raw: [unknown, unknown, string][] = [];
  if (isRecord(value)) {
    for (const [key, field] of Object.entries(value)) {
      if (Array.isArray(field)) field.forEach((item: unknown) => raw.push([key, item, `${path}.${key}`]));
      else raw.push([key, field, `${path}.${key}`]);
    }
  } else if (Array.isArray(value)) {
    value.forEach((pair: unknown, index) => {
      if (Array.isArray(pair) && pair.length === 2) raw.push([pair[0], pair[1], `${path}.${index}`]);
      else invalid(report, `${path}.${index}`, pair);
    });
  } else {
    invalid(report, path, value);
  }
  const pairs: Pair[] = [];
  for (const [rawKey, rawValue, entryPath] of raw) {
    if (isAbsent(rawValue)) continue;
    const key = lenientString(rawKey);
    const text = lenientString(rawValue);
    if (key === undefined || key.trim() === '' || text === undefined) invalid(report, entryPath, rawValue);
    else pairs.push([key, text]);
  }
  return pairs;
}

function queryString(value: unknown, report: Report): string | undefined {
  if (typeof value === 'string') return value.startsWith('?') ? value.slice(1) : value;
  const pairs = toPairs(value, 'request.query_string', report);
  return pairs.length > 0 ? new URLSearchParams(pairs).toString() : undefined;
}

function requestString(value: unknown, path: string, report: Report): string | undefined {
  if (isAbsent(value)) return undefined;
  const text = lenientString(value)?.trim();
  if (text === undefined) invalid(report, path, value);
  return text || undefined;
}

/**
 * `url`, `method` (upper-cased), `headers` as pairs, `query_string` as text; `data`, `cookies` and
 * `env` as sent, trimmed to their bag sizes.
 */
export function normalizeRequest(value: unknown, report: Report): EventRequest | undefined {
  if (isAbsent(value)) return undefined;
  if (!isRecord(value)) {
    invalid(report, 'request', value);
    return undefined;
  }
  const request: EventRequest = {};
  const url = requestString(value.url, 'request.url', report);
  if (url !== undefined) request.url = url;
  const method = requestString(value.method, 'request.method', report);
  if (method !== undefined) request.method = method.toUpperCase();
  if (!isAbsent(value.headers)) {
    const headers = toPairs(value.headers, 'request.headers', report).map(([name, text]): Pair => [
      headerName(name),
      text,
    ]);
    if (headers.length > 0) request.headers = headers;
  }
  if (!isAbsent(value.query_string)) {
    const query = queryString(value.query_string, report);
    if (query) request.query_string = query;
  }
  if (!isAbsent(value.data)) {
    request.data = trimBag(value.data, LIMITS.bags.requestData, ['request', 'data'], report);
  }
  if (!isAbsent(value.cookies)) {
    request.cookies = trimBag(value.cookies, LIMITS.bags.requestCookies, ['request', 'cookies'], report);
  }
  if (isRecord(value.env)) {
    request.env = trimObjectBag(value.env, LIMITS.bags.requestEnv, ['request', 'env'], report);
  } else if (!isAbsent(value.env)) invalid(report, 'request.env', value.env);
  return Object.keys(request).length > 0 ? request : undefined;
}
