/**
 * Sentry envelope framing: `header-line ("\n" item)* ["\n"]`, `item = header-line "\n" payload`.
 * Pure; works on byte offsets because `length` counts UTF-8 bytes, not characters. Payloads are
 * zero-copy views into the body buffer. The work per envelope is bounded (items, header sizes), and
 * `parseEnvelopeYielding` lets other requests run between its steps.
 */
import { BadRequestError, PayloadTooLargeError } from '../errors';
import type { TimeSlicer } from './time-slice';

export interface EnvelopeHeader {
  event_id?: string;
  dsn?: string;
  sent_at?: string;
  sdk?: { name?: string; version?: string; [k: string]: unknown };
  trace?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface EnvelopeItemHeader {
  type: string;
  length?: number;
  [k: string]: unknown;
}

export interface EnvelopeItem {
  header: EnvelopeItemHeader;
  /** Exactly the payload bytes (a view into the request body; copy it if you keep it long). */
  payload: Buffer;
}

export interface Envelope {
  header: EnvelopeHeader;
  items: EnvelopeItem[];
}

export interface EnvelopeLimits {
  /** Largest payload accepted for any item type not listed in `maxItemBytesByType`. */
  maxItemBytes: number;
  /** Per-type overrides, e.g. `{ attachment: 100 * MiB }`. */
  maxItemBytesByType?: Readonly<Record<string, number>>;
  /**
   * Most items an envelope may carry, of any type (unknown ones too: 6 million empty items fit in
   * a 188 KiB gzip body). Parsing stops at the first item past it. Unset: no limit.
   */
  maxItems?: number;
}

/**
 * Longest header line (the envelope's or an item's). SDKs write a few hundred bytes; a header is
 * parsed whole in one go, so its size is what one step of the parser may cost.
 */
export const MAX_HEADER_LINE_BYTES = 64 * 1024;

/** Blank bytes skipped between two pause points of the parser (see `frames`). */
const BLANK_RUN_STEP = 64 * 1024;

/** Marks a point where the parser may pause (after a long run of blank lines). */
const PAUSE = Symbol('pause');

const NEWLINE = 0x0a;
const MAX_MESSAGE_DETAIL = 200;

export function parseEnvelope(body: Buffer, limits: EnvelopeLimits): Envelope {
  const header = parseHeaderLine(body);
  const items: EnvelopeItem[] = [];
  for (const step of frames(body, header.end + 1, limits)) if (step !== PAUSE) items.push(step);
  return { header: header.header, items };
}

/** `parseEnvelope`, giving the event loop to other work whenever `slicer`'s slice is used up. */
export async function parseEnvelopeYielding(
  body: Buffer,
  limits: EnvelopeLimits,
  slicer: TimeSlicer,
): Promise<Envelope> {
  const header = parseHeaderLine(body);
  const items: EnvelopeItem[] = [];
  for (const step of frames(body, header.end + 1, limits)) {
    if (step !== PAUSE) items.push(step);
    await slicer.tick();
  }
  return { header: header.header, items };
}

function parseHeaderLine(body: Buffer): { header: EnvelopeHeader; end: number } {
  if (body.length === 0) {
    throw new BadRequestError(
      'envelope is empty: expected at least a header line such as {}',
      'empty_envelope',
    );
  }
  const end = lineEnd(body, 0);
  checkHeaderLine(end, 'envelope header');
  return { header: parseEnvelopeHeader(body.subarray(0, end)), end };
}

/** The items from `start` on, one at a time, with a pause point after each long run of blank lines. */
function* frames(
  body: Buffer,
  start: number,
  limits: EnvelopeLimits,
): Generator<EnvelopeItem | typeof PAUSE, void, undefined> {
  let count = 0;
  let pos = start;
  while (pos < body.length) {
    // Tolerate blank lines where an item header is expected (e.g. "{}\n\n" or "\r\n" at the end):
    // a header is never blank, so skipping them cannot misframe anything.
    const runEnd = Math.min(body.length, pos + BLANK_RUN_STEP);
    while (pos < runEnd && isBlankByte(body[pos])) pos++;
    if (pos === runEnd) {
      if (pos < body.length) yield PAUSE;
      continue;
    }
    const index = count;
    if (limits.maxItems !== undefined && index >= limits.maxItems) throw tooManyItems(limits.maxItems);
    const lineStop = lineEnd(body, pos);
    checkHeaderLine(lineStop - pos, `item ${index} header`);
    const itemHeader = parseItemHeader(body.subarray(pos, lineStop), index);
    const payloadStart = Math.min(lineStop + 1, body.length);
    const byType = limits.maxItemBytesByType;
    const limit =
      byType && Object.hasOwn(byType, itemHeader.type) ? byType[itemHeader.type] : limits.maxItemBytes;

    let payloadEnd: number;
    if (itemHeader.length !== undefined) {
      const declared = itemHeader.length;
      checkItemSize(declared, limit, index, itemHeader.type);
      const remaining = body.length - payloadStart;
      if (declared > remaining) {
        throw new BadRequestError(
          `item ${index} (${itemHeader.type}) declares length ${declared} but only ${remaining} bytes follow its header`,
          'invalid_length',
        );
      }
      payloadEnd = payloadStart + declared;
      if (payloadEnd < body.length && body[payloadEnd] !== NEWLINE) {
        throw new BadRequestError(
          `item ${index} (${itemHeader.type}) payload of length ${declared} is not followed by a newline; ` +
            'the declared length is probably wrong (it counts bytes, not characters)',
          'invalid_length',
        );
      }
    } else {
      payloadEnd = lineEnd(body, payloadStart);
      checkItemSize(payloadEnd - payloadStart, limit, index, itemHeader.type);
    }
    count++;
    yield { header: itemHeader, payload: body.subarray(payloadStart, payloadEnd) };
    pos = payloadEnd + 1;
  }
}

export function tooManyItems(max: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `envelope has more than ${max} items, over the limit of ${max} items per envelope`,
    'too_many_items',
  );
}

function checkHeaderLine(bytes: number, what: string): void {
  if (bytes > MAX_HEADER_LINE_BYTES) {
    throw new BadRequestError(
      `${what} is ${bytes} bytes long, over the limit of ${MAX_HEADER_LINE_BYTES} bytes for a header line`,
      'header_too_large',
    );
  }
}

/** JSON-decodes an item's payload; `index` is the item's position in `envelope.items` (0-based). */
export function parseJsonPayload(item: EnvelopeItem, index: number): unknown {
  return parseJsonText(utf8(item.payload), item, index);
}

/**
 * The payload as text and as parsed JSON, for a caller that keeps both (an event is queued as the
 * text it was parsed from: decoding its bytes once is measurable on the ingestion path).
 */
export function decodeJsonPayload(item: EnvelopeItem, index: number): { text: string; value: unknown } {
  const text = utf8(item.payload);
  return { text, value: parseJsonText(text, item, index) };
}

function parseJsonText(text: string, item: EnvelopeItem, index: number): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(
      `item ${index} (${item.header.type}) payload is not valid JSON: ${describe(err)}`,
      'invalid_json',
    );
  }
}

/** Index of the next "\n" at or after `from`, or `buf.length` when there is none. */
function lineEnd(buf: Buffer, from: number): number {
  const at = buf.indexOf(NEWLINE, from);
  return at === -1 ? buf.length : at;
}

/**
 * Space, tab, CR or LF: what a blank line between items may hold. Exported with `declaredLength`
 * for `EnvelopeItemCounter`, which must frame exactly as this parser does.
 */
export function isBlankByte(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE;
}

/**
 * An item header's `length`: a byte count, undefined when absent or null (the payload then runs to
 * the next newline), or `'invalid'`.
 */
export function declaredLength(length: unknown): number | undefined | 'invalid' {
  if (length === undefined || length === null) return undefined;
  return typeof length === 'number' && Number.isSafeInteger(length) && length >= 0 ? length : 'invalid';
}

function parseEnvelopeHeader(line: Buffer): EnvelopeHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8(line));
  } catch (err) {
    throw new BadRequestError(
      `envelope header is not valid JSON: ${describe(err)}`,
      'invalid_envelope_header',
    );
  }
  if (!isPlainObject(parsed)) {
    throw new BadRequestError(
      `envelope header must be a JSON object, got ${kindOf(parsed)}`,
      'invalid_envelope_header',
    );
  }
  for (const field of ['event_id', 'dsn', 'sent_at'] as const) {
    dropNull(parsed, field);
    if (parsed[field] !== undefined && typeof parsed[field] !== 'string') {
      throw new BadRequestError(
        `envelope header field "${field}" must be a string, got ${kindOf(parsed[field])}`,
        'invalid_envelope_header',
      );
    }
  }
  for (const field of ['sdk', 'trace'] as const) {
    dropNull(parsed, field);
    if (parsed[field] !== undefined && !isPlainObject(parsed[field])) {
      throw new BadRequestError(
        `envelope header field "${field}" must be an object, got ${kindOf(parsed[field])}`,
        'invalid_envelope_header',
      );
    }
  }
  return parsed as EnvelopeHeader;
}

function parseItemHeader(line: Buffer, index: number): EnvelopeItemHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8(line));
  } catch (err) {
    throw new BadRequestError(
      `item ${index} header is not valid JSON: ${describe(err)}`,
      'invalid_item_header',
    );
  }
  if (!isPlainObject(parsed)) {
    throw new BadRequestError(
      `item ${index} header must be a JSON object, got ${kindOf(parsed)}`,
      'invalid_item_header',
    );
  }
  if (typeof parsed.type !== 'string' || parsed.type === '') {
    throw new BadRequestError(`item ${index} header has no "type" string`, 'invalid_item_header');
  }
  dropNull(parsed, 'length');
  if (declaredLength(parsed.length) === 'invalid') {
    throw new BadRequestError(
      `item ${index} (${parsed.type}) header has an invalid "length" ${JSON.stringify(parsed.length)}: ` +
        'it must be a non-negative integer byte count',
      'invalid_length',
    );
  }
  return parsed as EnvelopeItemHeader;
}

function checkItemSize(size: number, limit: number, index: number, type: string): void {
  if (size > limit) {
    throw new PayloadTooLargeError(
      `item ${index} (${type}) is ${size} bytes, over the limit of ${limit} bytes`,
      'item_too_large',
    );
  }
}

function utf8(buf: Buffer): string {
  const text = buf.toString('utf8');
  // A leading BOM is not JSON whitespace; some Windows tooling adds one.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dropNull(obj: Record<string, unknown>, key: string): void {
  if (obj[key] === null) delete obj[key];
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > MAX_MESSAGE_DETAIL ? `${text.slice(0, MAX_MESSAGE_DETAIL)}…` : text;
}
