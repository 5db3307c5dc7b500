import assert from 'node:assert/strict';
import type { NormalizedEvent } from '../types';
import { formatMessage } from './message';
import { errorTypesAt, normalize } from './test-helpers';

describe('message', () => {
  const formats: [string, unknown, string][] = [
    ['Order %s not found', ['8123'], 'Order 8123 not found'],
    ['%s of %d items', ['3', 7], '3 of 7 items'],
    ['missing %s and %s', ['one'], 'missing one and %s'],
    ['100%% sure, %s', ['yes'], '100% sure, yes'],
    ['user %(name)s logged in', { name: 'jane' }, 'user jane logged in'],
    ['obj %s', [{ a: 1 }], 'obj {"a":1}'],
    ['no params %s', undefined, 'no params %s'],
  ];
  for (const [template, params, expected] of formats) {
    it(`formats ${JSON.stringify(template)}`, () => assert.equal(formatMessage(template, params), expected));
  }

  type Fields = Pick<NormalizedEvent, 'message' | 'logentry'>;
  // prettier-ignore
  const cases: [string, Record<string, unknown>, Fields][] = [
    ['takes a plain message', { message: 'Payment timeout' }, { message: 'Payment timeout' }],
    ['uses formatted from a message object', { message: { message: 'T %s', params: ['x'], formatted: 'T x!' } }, { message: 'T x!', logentry: { message: 'T %s', formatted: 'T x!', params: ['x'] } }],
    ['applies params when formatted is missing', { logentry: { message: 'Order %s failed', params: [42] } }, { message: 'Order 42 failed', logentry: { message: 'Order %s failed', params: [42] } }],
    ['takes the template alone', { logentry: { message: 'plain' } }, { message: 'plain', logentry: { message: 'plain' } }],
    ['prefers logentry over message', { message: 'legacy', logentry: { formatted: 'new' } }, { message: 'new', logentry: { formatted: 'new' } }],
    ['stringifies a numeric message', { message: 404 }, { message: '404' }],
    ['ignores a blank message', { message: '  ' }, {}],
  ];
  for (const [name, payload, expected] of cases) {
    it(name, () => {
      const event = normalize(payload);
      assert.deepEqual(
        { message: event.message, logentry: event.logentry },
        { message: undefined, logentry: undefined, ...expected },
      );
      assert.equal(event.errors, undefined);
    });
  }

  it('cuts the message to 8192 characters and records it', () => {
    const event = normalize({ message: 'm'.repeat(10000) });
    assert.equal(event.message?.length, 8192);
    assert.ok(event.message?.endsWith('...'));
    assert.deepEqual(event._meta?.message, { '': { rem: [['!limit', 's', 8189, 8192]], len: 10000 } });
  });

  it('cuts a message that only grows too long once formatted', () => {
    const event = normalize({ logentry: { message: '%s', params: ['p'.repeat(9000)] } });
    assert.equal(event.message?.length, 8192);
    assert.deepEqual(event._meta?.message, { '': { rem: [['!limit', 's', 8189, 8192]], len: 9000 } });
  });

  it('drops a list as logentry and records it', () => {
    const event = normalize({ logentry: ['a'], message: 'fallback' });
    assert.equal(event.message, 'fallback');
    assert.deepEqual(errorTypesAt(event, 'logentry'), ['invalid_data']);
  });

  it('keeps an object template as its JSON text', () => {
    assert.equal(normalize({ logentry: { message: { a: 1 } } }).message, '{"a":1}');
  });
});
