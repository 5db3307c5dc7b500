import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ExceptionValue, Level, NormalizedEvent } from '../events/types';

/**
 * Test support: loads the captured SDK events (test/fixtures, described in ../shared/fixtures/README.md) and converts
 * them with just enough of the normalizer's rules for grouping tests, so these tests don't depend
 * on the real normalizer.
 */
export const FIXTURES_DIR = resolve(__dirname, '../../../test/fixtures/sentry-javascript');

type Payload = Record<string, unknown>;
type Breadcrumbs = NonNullable<NormalizedEvent['breadcrumbs']>;

function readPayload(scenario: string, request: string): Payload {
  let body = readFileSync(join(FIXTURES_DIR, scenario, `${request}.body.bin`));
  if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body);
  const lines = body.toString('utf8').split('\n');
  return JSON.parse(lines[2]) as Payload;
}

function toPairs(tags: unknown): [string, string][] {
  if (Array.isArray(tags)) return tags.map((pair) => [String(pair[0]), String(pair[1])]);
  if (tags && typeof tags === 'object')
    return Object.entries(tags).map(([key, value]) => [key, String(value)]);
  return [];
}

export function loadFixtureEvent(scenario: string, request: string): NormalizedEvent {
  const payload = readPayload(scenario, request);
  const exception = payload.exception as { values?: ExceptionValue[] } | ExceptionValue[] | undefined;
  const values = Array.isArray(exception) ? exception : exception?.values;
  const breadcrumbs = payload.breadcrumbs as Breadcrumbs | Breadcrumbs['values'] | undefined;
  return {
    event_id: String(payload.event_id),
    timestamp: Number(payload.timestamp),
    received: Number(payload.timestamp),
    platform: String(payload.platform ?? 'other'),
    level: (payload.level as Level | undefined) ?? 'error',
    environment: String(payload.environment ?? 'production'),
    release: payload.release as string | undefined,
    transaction: payload.transaction as string | undefined,
    message: typeof payload.message === 'string' ? payload.message : undefined,
    tags: toPairs(payload.tags),
    breadcrumbs: Array.isArray(breadcrumbs) ? { values: breadcrumbs } : breadcrumbs,
    exception: values ? { values } : undefined,
    fingerprint: payload.fingerprint as string[] | undefined,
  };
}
