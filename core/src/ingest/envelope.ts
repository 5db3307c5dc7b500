/**
 * Sentry envelope framing: `header-line ("\n" item)* ["\n"]`, `item = header-line "\n" payload`.
 * Pure and synchronous; works on byte offsets because `length` counts UTF-8 bytes, not characters.
 * Payloads are zero-copy views into the body buffer.
 */
import { BadRequestError, PayloadTooLargeError } from '../errors';

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
}

const NEWLINE = 0x0a;
const MAX_MESSAGE_DETAIL = 200;

export function parseEnvelope(body: Buffer, limits: EnvelopeLimits): Envelope {
  if (body.length === 0) {
    throw new BadRequestError(
      'envelope is empty: expected at least a header line such as {}',
      'empty_envelope',
    );
  }
  const headerEnd = lineEnd(body, 0);
  const header = parseEnvelopeHeader(body.subarray(0, headerEnd));

  const items: EnvelopeItem[] = [];
  let pos = headerEnd + 1;
  while (pos < body.length) {
    const lineStop = lineEnd(body, pos);
    const line = body.subarray(pos, lineStop);
    // Tolerate blank lines where an item header is expected (e.g. "{}\n\n" or "\r\n" at the end):
    // a header is never blank, so skipping them cannot misframe anything.
    if (isBlank(line)) {
      pos = lineStop + 1;
      continue;
    }
    const index = items.length;
    const itemHeader = parseItemHeader(line, index);
    const payloadStart = Math.min(lineStop + 1, body.length);
    const limit = limits.maxItemBytesByType?.[itemHeader.type] ?? limits.maxItemBytes;

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
    items.push({ header: itemHeader, payload: body.subarray(payloadStart, payloadEnd) });
    pos = payloadEnd + 1;
  }
  return { header, items };
}

/** JSON-decodes an item's payload; `index` is the item's position in `envelope.items` (0-based). */
export function parseJsonPayload(item: EnvelopeItem, index: number): unknown {
  try {
    return JSON.parse(utf8(item.payload));
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

function isBlank(line: Buffer): boolean {
  for (const byte of line) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
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
  const length = parsed.length;
  if (length !== undefined && !(typeof length === 'number' && Number.isSafeInteger(length) && length >= 0)) {
    throw new BadRequestError(
      `item ${index} (${parsed.type}) header has an invalid "length" ${JSON.stringify(length)}: ` +
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
