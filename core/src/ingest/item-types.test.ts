import assert from 'node:assert/strict';
import { BadRequestError } from '../errors';
import type { EnvelopeItem } from './envelope';
import {
  assertSingleEventItem,
  classifyItem,
  dataCategoryOf,
  itemQuantity,
  itemTypeInfo,
  type DataCategory,
  type ItemHandling,
} from './item-types';

const item = (header: EnvelopeItem['header'], payload = '{}'): EnvelopeItem => ({
  header,
  payload: Buffer.from(payload),
});

describe('item types', () => {
  const table: [string, ItemHandling, DataCategory | null][] = [
    ['event', 'event', 'error'],
    ['transaction', 'store', 'transaction'],
    ['span', 'store', 'span'],
    ['attachment', 'store', 'attachment'],
    ['session', 'store', 'session'],
    ['sessions', 'store', 'session'],
    ['check_in', 'store', 'monitor'],
    ['feedback', 'store', 'feedback'],
    ['user_report', 'store', 'default'],
    ['log', 'store', 'log_item'],
    ['profile', 'store', 'profile'],
    ['profile_chunk', 'store', 'profile'],
    ['replay_event', 'store', 'replay'],
    ['replay_recording', 'store', 'replay'],
    ['replay_video', 'store', 'replay'],
    ['raw_security', 'store', 'security'],
    ['client_report', 'count', 'internal'],
    ['future_thing', 'unknown', null],
    ['Event', 'unknown', null],
    ['toString', 'unknown', null],
    ['__proto__', 'unknown', null],
  ];
  for (const [type, handling, category] of table) {
    it(`${type} → ${handling}, category ${category}`, () => {
      assert.equal(classifyItem(type), handling);
      assert.equal(dataCategoryOf(type), category);
      assert.deepEqual(itemTypeInfo(type), { handling, category });
    });
  }
});

describe('itemQuantity', () => {
  it('counts attachments in bytes, containers by item_count, the rest as 1', () => {
    assert.equal(itemQuantity(item({ type: 'attachment', filename: 'a' }, 'x'.repeat(1234))), 1234);
    assert.equal(itemQuantity(item({ type: 'span', item_count: 3 })), 3);
    assert.equal(itemQuantity(item({ type: 'log', item_count: 0 })), 0);
    assert.equal(itemQuantity(item({ type: 'log', item_count: 'many' })), 1);
    assert.equal(itemQuantity(item({ type: 'event' })), 1);
  });
});

describe('assertSingleEventItem', () => {
  it('allows one event or transaction among other items', () => {
    assertSingleEventItem([item({ type: 'event' }), item({ type: 'attachment' }), item({ type: 'session' })]);
    assertSingleEventItem([]);
  });

  it('rejects two', () => {
    assert.throws(
      () =>
        assertSingleEventItem([
          item({ type: 'event' }),
          item({ type: 'session' }),
          item({ type: 'transaction' }),
        ]),
      (err: unknown) =>
        err instanceof BadRequestError && err.code === 'duplicate_item' && /at 0, 2/.test(err.message),
    );
  });
});
