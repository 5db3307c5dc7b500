/**
 * What ingestion does with each envelope item type, and the Sentry data category it counts
 * against (the categories of `X-Sentry-Rate-Limits`). Unknown types are skipped, never rejected:
 * new SDKs add types faster than servers learn them.
 */
import { BadRequestError } from '../errors';
import type { EnvelopeItem } from './envelope';

export type DataCategory =
  | 'default'
  | 'error'
  | 'transaction'
  | 'attachment'
  | 'session'
  | 'monitor'
  | 'span'
  | 'log_item'
  | 'profile'
  | 'replay'
  | 'feedback'
  | 'security'
  /** Client reports: SDK bookkeeping, never rate limited. */
  | 'internal';

/**
 * - `event`: normalized, grouped into an issue.
 * - `store`: accepted and kept raw for features that read it later.
 * - `count`: read for its numbers (client reports' discarded counts), then dropped.
 * - `unknown`: skipped; the rest of the envelope still goes through.
 */
export type ItemHandling = 'event' | 'store' | 'count' | 'unknown';

export interface ItemTypeInfo {
  readonly handling: ItemHandling;
  /** Null for unknown types: nothing to rate limit. */
  readonly category: DataCategory | null;
}

const info = (handling: ItemHandling, category: DataCategory | null): ItemTypeInfo => ({
  handling,
  category,
});

// Categories follow @sentry/core's envelopeItemTypeToDataCategory, so the SDK's own client-side
// rate limiting understands the categories we send back.
export const ITEM_TYPES: Readonly<Record<string, ItemTypeInfo>> = Object.freeze({
  event: info('event', 'error'),
  transaction: info('store', 'transaction'),
  span: info('store', 'span'),
  attachment: info('store', 'attachment'),
  session: info('store', 'session'),
  sessions: info('store', 'session'),
  check_in: info('store', 'monitor'),
  feedback: info('store', 'feedback'),
  user_report: info('store', 'default'),
  log: info('store', 'log_item'),
  profile: info('store', 'profile'),
  profile_chunk: info('store', 'profile'),
  replay_event: info('store', 'replay'),
  replay_recording: info('store', 'replay'),
  replay_video: info('store', 'replay'),
  raw_security: info('store', 'security'),
  client_report: info('count', 'internal'),
});

const UNKNOWN: ItemTypeInfo = info('unknown', null);

export function itemTypeInfo(type: string): ItemTypeInfo {
  return Object.hasOwn(ITEM_TYPES, type) ? ITEM_TYPES[type] : UNKNOWN;
}

/** What ingestion does with an item of this type. */
export function classifyItem(type: string): ItemHandling {
  return itemTypeInfo(type).handling;
}

/** The rate-limit category of an item type; null for unknown types. */
export function dataCategoryOf(type: string): DataCategory | null {
  return itemTypeInfo(type).category;
}

/**
 * How much of its category an item uses: attachments count bytes (as Sentry's attachment quota
 * does), span and log containers count their `item_count` (one item can carry many), the rest 1.
 */
export function itemQuantity(item: EnvelopeItem): number {
  const { type, item_count: itemCount } = item.header;
  if (type === 'attachment') return item.payload.length;
  if (typeof itemCount === 'number' && Number.isSafeInteger(itemCount) && itemCount >= 0) return itemCount;
  return 1;
}

/** An envelope carries at most one `event` or `transaction` item (Relay rejects more as duplicates). */
export function assertSingleEventItem(items: readonly EnvelopeItem[]): void {
  const indexes = items.flatMap((item, i) =>
    item.header.type === 'event' || item.header.type === 'transaction' ? [i] : [],
  );
  if (indexes.length > 1) {
    throw new BadRequestError(
      `envelope has ${indexes.length} event/transaction items (at ${indexes.join(', ')}); at most one is allowed`,
      'duplicate_item',
    );
  }
}
