import assert from 'node:assert/strict';
import type { EventUser } from '../types';
import { errorTypesAt, normalize } from './test-helpers';

const AUTO_SDK = { name: 'sentry.javascript.browser', settings: { infer_ip: 'auto' } };

describe('user', () => {
  // prettier-ignore
  const cases: [string, Record<string, unknown>, EventUser | undefined, string | undefined][] = [
    ['keeps the standard fields', { user: { id: 'u-1', email: 'a@b.c', username: 'jane' } }, { id: 'u-1', email: 'a@b.c', username: 'jane' }, undefined],
    ['stringifies a numeric id', { user: { id: 1842 } }, { id: '1842' }, undefined],
    ['keeps other keys', { user: { id: 'u', segment: 'pro', data: { plan: 'x' } } }, { id: 'u', segment: 'pro', data: { plan: 'x' } }, undefined],
    ['keeps a valid ip', { user: { ip_address: '2001:db8::1' } }, { ip_address: '2001:db8::1' }, undefined],
    ['replaces {{auto}} with the client ip', { user: { id: 'u', ip_address: '{{auto}}' } }, { id: 'u', ip_address: '203.0.113.7' }, '203.0.113.7'],
    ['drops {{auto}} without a client ip', { user: { id: 'u', ip_address: '{{auto}}' } }, { id: 'u' }, undefined],
    ['infers the ip when the sdk asks for it', { user: { id: 'u' }, sdk: AUTO_SDK }, { id: 'u', ip_address: '203.0.113.7' }, '203.0.113.7'],
    ['creates a user for inferred ip alone', { sdk: AUTO_SDK }, { ip_address: '203.0.113.7' }, '203.0.113.7'],
    ['does not infer without being asked', { user: { id: 'u' } }, { id: 'u' }, '203.0.113.7'],
    ['keeps an explicit ip over inference', { user: { ip_address: '10.0.0.1' }, sdk: AUTO_SDK }, { ip_address: '10.0.0.1' }, '203.0.113.7'],
  ];
  for (const [name, payload, expected, clientIp] of cases) {
    it(name, () => {
      const event = normalize(payload, { clientIp });
      assert.deepEqual(event.user, expected);
      assert.equal(event.errors, undefined);
    });
  }

  const invalidCases: [string, unknown, string][] = [
    ['a non-object user', 'jane', 'user'],
    ['an object id', { id: { nested: 1 } }, 'user.id'],
    ['a malformed ip', { ip_address: 'localhost' }, 'user.ip_address'],
  ];
  for (const [name, user, path] of invalidCases) {
    it(`drops ${name} and records it`, () => {
      const event = normalize({ user });
      assert.equal(event.user, undefined);
      assert.deepEqual(errorTypesAt(event, path), ['invalid_data']);
    });
  }
});
