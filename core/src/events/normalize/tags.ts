import type { Report } from './report';
import { invalid, recordTrim } from './report';
import { limitMeta, LIMITS, truncateString } from './trim';
import { isAbsent, isRecord, lenientString } from './values';

export type TagPair = [string, string];

/** Raw `[key, value]` entries from either wire form: an object or a list of pairs. */
function rawEntries(value: unknown, report: Report): [unknown, unknown, string][] {
  if (isRecord(value)) return Object.entries(value).map(([k, v]) => [k, v, `tags.${k}`]);
  if (!Array.isArray(value)) {
    invalid(report, 'tags', value);
    return [];
  }
  const entries: [unknown, unknown, string][] = [];
  value.forEach((pair: unknown, index) => {
    if (Array.isArray(pair) && pair.length === 2) entries.push([pair[0], pair[1], `tags.${index}`]);
    else invalid(report, `tags.${index}`, pair);
  });
  return entries;
}

/**
 * The SDK's tags as string pairs, keys and values whitespace-trimmed. Scalars are stringified; `null`
 * values are skipped; objects, empty keys and empty values are dropped with an error. Lengths are
 * not limited yet (see `finalizeTags`).
 */
export function parseTags(value: unknown, report: Report): TagPair[] {
  if (isAbsent(value)) return [];
  const pairs: TagPair[] = [];
  for (const [rawKey, rawValue, path] of rawEntries(value, report)) {
    if (isAbsent(rawValue)) continue;
    const key = lenientString(rawKey)?.trim();
    const text = lenientString(rawValue)?.trim();
    if (!key || !text) invalid(report, path, key ? rawValue : rawKey);
    else pairs.push([key, text]);
  }
  return pairs;
}

interface TagEntry {
  value: string;
  keyLength?: number;
  valueLength?: number;
}

/**
 * Merges explicit SDK tags (first; a repeated key keeps the last value) with derived ones (which
 * never override), limits key and value lengths, and records each cut under `tags.<index>.<0|1>`,
 * Relay's path for a pair's key and value.
 */
export function finalizeTags(explicit: TagPair[], derived: TagPair[], report: Report): TagPair[] {
  const entries = new Map<string, TagEntry>();
  const add = (key: string, value: string, override: boolean): void => {
    const k = truncateString(key, LIMITS.tagKey);
    if (entries.has(k.value) && !override) return;
    const v = truncateString(value, LIMITS.tagValue);
    entries.set(k.value, { value: v.value, keyLength: k.originalLength, valueLength: v.originalLength });
  };
  for (const [key, value] of explicit) add(key, value, true);
  for (const [key, value] of derived) add(key, value, false);

  const tags: TagPair[] = [];
  for (const [key, entry] of entries) {
    const index = tags.length;
    if (entry.keyLength !== undefined) {
      recordTrim(report, `tags.${index}.0`, limitMeta({ value: key, originalLength: entry.keyLength }));
    }
    if (entry.valueLength !== undefined) {
      recordTrim(
        report,
        `tags.${index}.1`,
        limitMeta({ value: entry.value, originalLength: entry.valueLength }),
      );
    }
    tags.push([key, entry.value]);
  }
  return tags;
}
