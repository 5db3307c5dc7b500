import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '../../core/src/testing/fixtures';

/** The DSN the fixtures were captured with: key and project every replayed request carries. */
export const FIXTURE_PUBLIC_KEY = 'c8fe25458869f78c823ed76fa7fb5da1';
export const FIXTURE_PROJECT_ID = 42;

export interface CapturedRequest {
  scenario: string;
  nn: string;
  method: string;
  /** Path plus query, as sent. */
  url: string;
  rawHeaders: [string, string][];
  body: Buffer;
  /** The envelope header's event_id (from manifest.json), null when it has none. */
  envelopeEventId: string | null;
  itemTypes: string[];
}

interface ManifestEntry {
  nn: string;
  envelopeEventId?: string | null;
  items?: { type: string }[];
}

/** Every captured request, scenario by scenario (alphabetical), in arrival order within each. */
export function loadCapturedRequests(): CapturedRequest[] {
  if (!fs.existsSync(path.join(FIXTURES_DIR, 'manifest.json'))) {
    throw new Error(`The captured SDK fixtures are missing from ${FIXTURES_DIR}`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestEntry[]
  >;
  const requests: CapturedRequest[] = [];
  for (const scenario of Object.keys(manifest).sort()) {
    for (const entry of manifest[scenario]) {
      const base = path.join(FIXTURES_DIR, scenario, entry.nn);
      const meta = JSON.parse(fs.readFileSync(`${base}.request.json`, 'utf8')) as {
        method: string;
        url: string;
        rawHeaders: [string, string][];
      };
      requests.push({
        scenario,
        nn: entry.nn,
        method: meta.method,
        url: meta.url,
        rawHeaders: meta.rawHeaders,
        body: fs.readFileSync(`${base}.body.bin`),
        envelopeEventId: entry.envelopeEventId ?? null,
        itemTypes: (entry.items ?? []).map((item) => item.type),
      });
    }
  }
  return requests;
}

/** Headers the replay sets itself: the connection and body framing belong to this connection. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** The request's own headers with their original names, minus the hop-by-hop ones. */
export function replayHeaders(request: CapturedRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.rawHeaders) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name] = value;
  }
  return headers;
}

/** Whether the SDK streamed the body with `Transfer-Encoding: chunked` (@sentry/node does). */
export function wasChunked(request: CapturedRequest): boolean {
  return request.rawHeaders.some(
    ([name, value]) => name.toLowerCase() === 'transfer-encoding' && /chunked/i.test(value),
  );
}
