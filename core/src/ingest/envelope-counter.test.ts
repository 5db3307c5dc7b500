import assert from 'node:assert/strict';
import { PayloadTooLargeError } from '../errors';
import { parseEnvelope } from './envelope';
import { EnvelopeItemCounter } from './envelope-counter';

/** Feeds `body` to a counter in chunks of `size` bytes; returns the error it threw, if any. */
function feed(body: Buffer, maxItems: number, size: number): unknown {
  const counter = new EnvelopeItemCounter(maxItems);
  try {
    for (let at = 0; at < body.length; at += size) counter.push(body.subarray(at, at + size));
    return undefined;
  } catch (err) {
    return err;
  }
}

/** Envelopes that frame in every way parseEnvelope knows: lengths, newlines inside payloads, blank lines. */
const BODIES = [
  '{}\n{"type":"event"}\n{"a":1}\n{"type":"attachment","length":5}\nab\ncd\n{"type":"x"}\n\n',
  '{"event_id":"x"}\n\n\r\n{"type":"a","length":0}\n\n  {"type":"b"}\npayload',
  '{}\n{"type":"attachment","length":3}\n\n\n\n\n{"type":"session"}\n{}\n\n',
  '{}',
  '{}\n',
  '{}\n{"type":"a","length":2}\nxy',
];

describe('EnvelopeItemCounter', () => {
  for (const [i, text] of BODIES.entries()) {
    it(`agrees with parseEnvelope on envelope ${i}, whatever the chunk size`, () => {
      const body = Buffer.from(text);
      const items = parseEnvelope(body, { maxItemBytes: 1000 }).items.length;
      for (const size of [1, 2, 3, 7, body.length]) {
        assert.equal(feed(body, items, size), undefined, `${items} items in chunks of ${size}`);
        if (items > 0) {
          const err = feed(body, items - 1, size);
          assert.ok(
            err instanceof PayloadTooLargeError && err.code === 'too_many_items',
            `chunks of ${size}`,
          );
        }
      }
    });
  }

  it('stops at item 1001 of 6.2 million, in the first bytes of the body', () => {
    const counter = new EnvelopeItemCounter(1000);
    counter.push(Buffer.from('{}\n'));
    const chunk = Buffer.from('{"type":"x"}\n\n'.repeat(4681)); // one 64 KiB decompression chunk
    assert.throws(() => counter.push(chunk), /more than 1000 items/);
  });
});
