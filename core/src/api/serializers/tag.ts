import { z } from 'zod';
import type { TagValueCount } from '../../issues';
import { isoDate } from './dates';

const sentryTagValueSchema = z
  .strictObject({
    key: z.string(),
    name: z.string(),
    value: z.string(),
    count: z.number().int(),
    firstSeen: z.iso.datetime(),
    lastSeen: z.iso.datetime(),
  })
  .meta({ id: 'TagValue' });

/** Sentry's per-key tag summary of an issue (`GET /api/0/issues/{id}/tags/`). */
export const sentryTagKeySchema = z
  .strictObject({
    key: z.string(),
    name: z.string(),
    totalValues: z.number().int(),
    uniqueValues: z.number().int(),
    topValues: z.array(sentryTagValueSchema),
  })
  .meta({ id: 'TagKey' });
export type SentryTagKey = z.infer<typeof sentryTagKeySchema>;

// Sentry's labels for well-known keys; others are title-cased.
const TAG_LABELS: Record<string, string> = {
  user: 'User',
  release: 'Release',
  os: 'OS',
  'os.name': 'OS',
  url: 'URL',
  server_name: 'Server',
  'browser.name': 'Browser',
  'runtime.name': 'Runtime',
};

export function tagKeyLabel(key: string): string {
  return TAG_LABELS[key] ?? key.replace(/[_.]/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

/** Groups value counts (ordered by key, then rank) into Sentry's per-key summaries. */
export function serializeTagKeys(rows: TagValueCount[]): SentryTagKey[] {
  const byKey = new Map<string, SentryTagKey>();
  for (const row of rows) {
    let key = byKey.get(row.key);
    if (!key) {
      key = {
        key: row.key,
        name: tagKeyLabel(row.key),
        totalValues: Number(row.key_total),
        uniqueValues: Number(row.key_values),
        topValues: [],
      };
      byKey.set(row.key, key);
    }
    key.topValues.push({
      key: row.key,
      name: row.value,
      value: row.value,
      count: row.times_seen,
      firstSeen: isoDate(row.first_seen),
      lastSeen: isoDate(row.last_seen),
    });
  }
  return [...byKey.values()];
}
