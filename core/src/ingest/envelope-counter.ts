import { declaredLength, isBlankByte, MAX_HEADER_LINE_BYTES, tooManyItems } from './envelope';

const NEWLINE = 0x0a;

type State =
  /** In the envelope header line. */
  | { kind: 'envelopeHeader' }
  /** Between items: blank bytes are skipped until an item header starts. */
  | { kind: 'between' }
  /** In an item header line; its bytes so far. */
  | { kind: 'itemHeader'; parts: Buffer[]; bytes: number }
  /** In a payload of declared length: bytes still to skip, then a newline (or the end). */
  | { kind: 'sized'; remaining: number }
  /** In a payload without a length: it runs to the next newline. */
  | { kind: 'line' }
  /** The framing is broken; `parseEnvelope` will say how. Nothing more to count. */
  | { kind: 'done' };

/**
 * Counts an envelope's items while it is still being decompressed, and throws the moment there
 * are more than `maxItems`, so decompression stops there: 6 million empty items in a small gzip body
 * then cost the first few kilobytes instead of 87 MB of memory and the time to fill it. It frames
 * exactly as `parseEnvelope` does (which checks everything else once the body is whole), so an
 * envelope it lets through is one `parseEnvelope` counts the same way.
 */
export class EnvelopeItemCounter {
  private state: State = { kind: 'envelopeHeader' };
  private count = 0;

  constructor(private readonly maxItems: number) {}

  /** The next decoded bytes of the body, in order. */
  readonly push = (chunk: Buffer): void => {
    let pos = 0;
    while (pos < chunk.length && this.state.kind !== 'done') pos = this.step(chunk, pos);
  };

  /** Consumes what it can of `chunk` from `pos` in the current state; returns the next position. */
  private step(chunk: Buffer, pos: number): number {
    const state = this.state;
    switch (state.kind) {
      case 'envelopeHeader':
      case 'line': {
        const end = chunk.indexOf(NEWLINE, pos);
        if (end === -1) return chunk.length;
        this.state = { kind: 'between' };
        return end + 1;
      }
      case 'between': {
        while (pos < chunk.length && isBlankByte(chunk[pos])) pos++;
        if (pos === chunk.length) return pos;
        if (this.count >= this.maxItems) throw tooManyItems(this.maxItems);
        this.state = { kind: 'itemHeader', parts: [], bytes: 0 };
        return pos;
      }
      case 'itemHeader': {
        const end = chunk.indexOf(NEWLINE, pos);
        const stop = end === -1 ? chunk.length : end;
        state.parts.push(chunk.subarray(pos, stop));
        state.bytes += stop - pos;
        if (state.bytes > MAX_HEADER_LINE_BYTES) this.state = { kind: 'done' };
        else if (end !== -1) this.endHeader(Buffer.concat(state.parts, state.bytes));
        return end === -1 ? stop : end + 1;
      }
      case 'sized': {
        const available = chunk.length - pos;
        if (state.remaining > available) {
          state.remaining -= available;
          return chunk.length;
        }
        const after = pos + state.remaining;
        if (after === chunk.length) {
          state.remaining = 0; // the newline that must follow comes in the next chunk
          return after;
        }
        this.state = chunk[after] === NEWLINE ? { kind: 'between' } : { kind: 'done' };
        return after + 1;
      }
      case 'done':
        return chunk.length;
    }
  }

  private endHeader(line: Buffer): void {
    this.count++;
    let header: unknown;
    try {
      header = JSON.parse(line.toString('utf8'));
    } catch {
      this.state = { kind: 'done' };
      return;
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      this.state = { kind: 'done' };
      return;
    }
    const length = declaredLength((header as { length?: unknown }).length);
    if (length === undefined) this.state = { kind: 'line' };
    else if (length === 'invalid') this.state = { kind: 'done' };
    else this.state = { kind: 'sized', remaining: length };
  }
}
