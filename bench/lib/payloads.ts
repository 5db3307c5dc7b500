/**
 * SDK-shaped envelope bodies for the load generator, built once from the captured `@sentry/node`
 * fixture events and then stamped per request.
 *
 * Each of the ~50 variants changes what grouping looks at (exception type, in-app function and
 * file, or the message text), so a run produces about 50 issues. Variants are drawn with a Zipf-like
 * skew: a few errors are frequent, most are rare, as in real projects. Per request only fixed-width
 * placeholders are overwritten in a copy of the pre-serialized body: the event id (envelope header
 * and payload), a few digits inside messages (ids that message normalization must strip) and a user
 * id suffix. No JSON work happens on the request path.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The captured @sentry/node requests kept in the repository (test/fixtures). */
export const FIXTURES_DIR = path.resolve(__dirname, '../../test/fixtures/sentry-javascript');

const EVENT_ID_MARK = '~'.repeat(32);
const DIGITS_MARK = '|'.repeat(8);
const USER_MARK = '^'.repeat(4);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Frame extends JsonObject {
  filename: string;
  module: string;
  function: string;
  in_app: boolean;
}

/** One distinct error: a body with placeholder offsets, and how often it is sent relative to others. */
export interface BodyTemplate {
  name: string;
  body: Buffer;
  eventIdOffsets: number[];
  digitOffsets: number[];
  userOffsets: number[];
  weight: number;
}

function readEvent(scenario: string): { header: JsonObject; itemHeader: JsonObject; payload: JsonObject } {
  const raw = fs.readFileSync(path.join(FIXTURES_DIR, scenario, '02.body.bin'), 'utf8');
  const [header, itemHeader, payload] = raw.split('\n');
  return {
    header: JSON.parse(header) as JsonObject,
    itemHeader: JSON.parse(itemHeader) as JsonObject,
    payload: JSON.parse(payload) as JsonObject,
  };
}

const clone = <T extends Json>(value: T): T => structuredClone(value);

function exceptionValues(event: JsonObject): JsonObject[] {
  const exception = event.exception as { values: JsonObject[] };
  return exception.values;
}

function framesOf(exception: JsonObject): Frame[] {
  return (exception.stacktrace as { frames: Frame[] }).frames;
}

function innermostInApp(frames: Frame[]): Frame {
  const inApp = frames.filter((f) => f.in_app);
  return inApp[inApp.length - 1];
}

function setFrame(frame: Frame, file: string, fn: string): void {
  frame.filename = `/srv/shop/app/${file}.js`;
  frame.module = file;
  frame.function = fn;
}

const EXCEPTION_TYPES = [
  'Error',
  'TypeError',
  'RangeError',
  'ValidationError',
  'TimeoutError',
  'NotFoundError',
];
const FUNCTIONS = [
  'findOrder',
  'reserveStock',
  'applyCoupon',
  'chargeCard',
  'computeTax',
  'loadCart',
  'validateAddress',
  'sendReceipt',
  'refreshToken',
  'parseWebhook',
];
const FILES = ['inventory', 'checkout', 'payments'];
const EXCEPTION_MESSAGES = [
  `Order ${DIGITS_MARK} not found`,
  `Cannot read properties of undefined (reading 'sku') for cart ${DIGITS_MARK}`,
  `Quantity ${DIGITS_MARK} is out of range`,
  `Invalid postal code for customer ${DIGITS_MARK}`,
  `Upstream call timed out after ${DIGITS_MARK} ms`,
  `Coupon ${DIGITS_MARK} does not exist`,
];
const CAUSE_FUNCTIONS = [
  'readLineItems',
  'decodeCartCookie',
  'mergeGuestCart',
  'priceLineItems',
  'loadPromotions',
  'readSession',
];
const UNCAUGHT_FUNCTIONS = ['syncWarehouse', 'syncSuppliers', 'syncPrices', 'syncStockLevels'];
const STACK_MESSAGES = [
  `Payment provider timeout after ${DIGITS_MARK} ms`,
  `Refund ${DIGITS_MARK} stuck in pending state`,
  `Slow query: orders lookup took ${DIGITS_MARK} ms`,
  `Retrying webhook delivery ${DIGITS_MARK}`,
  `Inventory drift detected on warehouse ${DIGITS_MARK}`,
];
const PLAIN_MESSAGES = [
  `User ${DIGITS_MARK} not found`,
  `Session for customer ${DIGITS_MARK} expired`,
  `Rate limit hit for api key ak_${DIGITS_MARK}${DIGITS_MARK}x`,
  `Email to user-${DIGITS_MARK}@example.com bounced`,
  `Cache miss storm on product ${DIGITS_MARK}`,
];

/** Builds the distinct events (about 50) as event payloads, still as objects. */
function buildVariants(): { name: string; header: JsonObject; payload: JsonObject }[] {
  const a = readEvent('node-a-exception');
  const c = readEvent('node-c-cause-chain');
  const d = readEvent('node-d-message');
  const d2 = readEvent('node-d2-message-no-stacktrace');
  const e = readEvent('node-e-uncaught');
  const variants: { name: string; header: JsonObject; payload: JsonObject }[] = [];

  // 30 handled exceptions: type × innermost in-app function × file.
  for (let k = 0; k < 30; k++) {
    const payload = clone(a.payload);
    const [exception] = exceptionValues(payload);
    const fn = FUNCTIONS[k % FUNCTIONS.length];
    const file = FILES[Math.floor(k / FUNCTIONS.length) % FILES.length];
    exception.type = EXCEPTION_TYPES[k % EXCEPTION_TYPES.length];
    exception.value = EXCEPTION_MESSAGES[k % EXCEPTION_MESSAGES.length];
    setFrame(innermostInApp(framesOf(exception)), file, fn);
    variants.push({ name: `${exception.type} in ${file}.${fn}`, header: a.header, payload });
  }
  // 6 cause chains: the cause's innermost function varies.
  for (let k = 0; k < CAUSE_FUNCTIONS.length; k++) {
    const payload = clone(c.payload);
    const values = exceptionValues(payload);
    const cause = values[0];
    cause.value = `Cannot read properties of undefined (reading 'items') in cart ${DIGITS_MARK}`;
    setFrame(innermostInApp(framesOf(cause)), 'cart', CAUSE_FUNCTIONS[k]);
    variants.push({ name: `cause chain via cart.${CAUSE_FUNCTIONS[k]}`, header: c.header, payload });
  }
  // 4 unhandled (fatal) errors from timers.
  for (let k = 0; k < UNCAUGHT_FUNCTIONS.length; k++) {
    const payload = clone(e.payload);
    const [exception] = exceptionValues(payload);
    exception.value = `Warehouse feed ${DIGITS_MARK} returned HTTP 503`;
    setFrame(innermostInApp(framesOf(exception)), 'jobs', UNCAUGHT_FUNCTIONS[k]);
    variants.push({ name: `uncaught in jobs.${UNCAUGHT_FUNCTIONS[k]}`, header: e.header, payload });
  }
  // 5 captureMessage with attached (synthetic) stacktraces: grouped by the calling frame.
  for (let k = 0; k < STACK_MESSAGES.length; k++) {
    const payload = clone(d.payload);
    payload.message = STACK_MESSAGES[k];
    const [exception] = exceptionValues(payload);
    exception.value = STACK_MESSAGES[k];
    setFrame(innermostInApp(framesOf(exception)), `jobs/report-${k}`, `Object.report${k}`);
    variants.push({ name: `message+stack ${k}`, header: d.header, payload });
  }
  // 5 plain messages: grouped by the message with its ids normalized away.
  for (let k = 0; k < PLAIN_MESSAGES.length; k++) {
    const payload = clone(d2.payload);
    payload.message = PLAIN_MESSAGES[k];
    variants.push({ name: `message ${k}`, header: d2.header, payload });
  }
  return variants;
}

function offsetsOf(body: Buffer, mark: string): number[] {
  const offsets: number[] = [];
  for (let at = body.indexOf(mark); at !== -1; at = body.indexOf(mark, at + mark.length)) offsets.push(at);
  return offsets;
}

/**
 * The envelope bodies, one per variant, with `publicKey` in the trace header as an SDK would send.
 * `nowSeconds` becomes the event timestamp so events are not "from the past" of the capture.
 */
export function buildTemplates(
  publicKey: string,
  nowSeconds = Date.now() / 1000,
  zipfExponent = 1,
): BodyTemplate[] {
  const variants = buildVariants();
  return variants.map((variant, index) => {
    // Popularity rank, spread over the kinds of error so messages are not always the rarest.
    const rank = (index * 17) % variants.length;
    const header = clone(variant.header);
    header.event_id = EVENT_ID_MARK;
    header.sent_at = new Date(nowSeconds * 1000).toISOString();
    const trace = header.trace as JsonObject | undefined;
    if (trace) trace.public_key = publicKey;
    const payload = variant.payload;
    payload.event_id = EVENT_ID_MARK;
    payload.timestamp = Math.round(nowSeconds * 1000) / 1000;
    if (payload.user) payload.user = { id: `u-${USER_MARK}`, email: `customer-${USER_MARK}@example.com` };
    const text = `${JSON.stringify(header)}\n{"type":"event"}\n${JSON.stringify(payload)}`;
    const body = Buffer.from(text, 'utf8');
    const template: BodyTemplate = {
      name: variant.name,
      body,
      eventIdOffsets: offsetsOf(body, EVENT_ID_MARK),
      digitOffsets: offsetsOf(body, DIGITS_MARK),
      userOffsets: offsetsOf(body, USER_MARK),
      weight: 1 / (rank + 1) ** zipfExponent,
    };
    if (template.eventIdOffsets.length !== 2) throw new Error(`${variant.name}: expected the event id twice`);
    return template;
  });
}

/** Fast per-request bodies: a unique event id each time, fresh digits, a user among 1000. */
export class BodyFactory {
  private readonly sequence: Uint16Array;
  private next = 0;
  private counter = 0;
  private readonly prefix: string;

  constructor(
    private readonly templates: BodyTemplate[],
    /** Distinguishes generators so event ids never collide across phases or processes. */
    instance = randomBytes(4).toString('hex'),
  ) {
    this.prefix = instance.padEnd(8, '0').slice(0, 8);
    // A shuffled cycle honouring the weights; drawing from it costs one array read per request.
    const total = templates.reduce((sum, t) => sum + t.weight, 0);
    const cycle: number[] = [];
    templates.forEach((t, index) => {
      const copies = Math.max(1, Math.round((t.weight / total) * 8192));
      for (let i = 0; i < copies; i++) cycle.push(index);
    });
    for (let i = cycle.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [cycle[i], cycle[j]] = [cycle[j], cycle[i]];
    }
    this.sequence = Uint16Array.from(cycle);
  }

  /** A new body (its own buffer, safe to hand to a socket). */
  nextBody(): Buffer {
    const template = this.templates[this.sequence[this.next]];
    this.next = (this.next + 1) % this.sequence.length;
    const body = Buffer.allocUnsafe(template.body.length);
    template.body.copy(body);
    const id = this.prefix + (this.counter++).toString(16).padStart(24, '0');
    for (const at of template.eventIdOffsets) body.write(id, at, 'latin1');
    for (const at of template.digitOffsets) {
      body[at] = 49 + ((Math.random() * 9) | 0); // no leading zero
      for (let i = 1; i < 8; i++) body[at + i] = 48 + ((Math.random() * 10) | 0);
    }
    if (template.userOffsets.length > 0) {
      const user = (Math.random() * 1000) | 0;
      for (const at of template.userOffsets) {
        body[at] = 48 + ((user / 1000) | 0);
        body[at + 1] = 48 + (((user / 100) | 0) % 10);
        body[at + 2] = 48 + (((user / 10) | 0) % 10);
        body[at + 3] = 48 + (user % 10);
      }
    }
    return body;
  }

  get issued(): number {
    return this.counter;
  }
}
