import assert from 'node:assert/strict';
import type { EventRequest } from '../types';
import { errorTypesAt, normalize } from './test-helpers';

describe('request', () => {
  // prettier-ignore
  const cases: [string, unknown, EventRequest | undefined][] = [
    ['upper-cases the method', { url: 'http://x/', method: 'post' }, { url: 'http://x/', method: 'POST' }],
    [
      'turns a header object into pairs with canonical names',
      { headers: { 'user-agent': 'UA', 'X-FORWARDED-FOR': '1.2.3.4' } },
      { headers: [['User-Agent', 'UA'], ['X-Forwarded-For', '1.2.3.4']] },
    ],
    [
      'keeps header pairs, repeated names included',
      { headers: [['Cookie', 'a=1'], ['cookie', 'b=2']] },
      { headers: [['Cookie', 'a=1'], ['Cookie', 'b=2']] },
    ],
    ['splits list header values', { headers: { Accept: ['a', 'b'] } }, { headers: [['Accept', 'a'], ['Accept', 'b']] }],
    ['keeps a query string, minus a leading ?', { query_string: '?a=1&b=2' }, { query_string: 'a=1&b=2' }],
    ['encodes a query object', { query_string: { q: 'a b', page: 2 } }, { query_string: 'q=a+b&page=2' }],
    ['encodes query pairs', { query_string: [['q', 'x'], ['q', 'y']] }, { query_string: 'q=x&q=y' }],
    [
      'keeps data, cookies and env as sent',
      { data: { amount: 3 }, cookies: 'sid=1', env: { REMOTE_ADDR: '1.2.3.4' } },
      { data: { amount: 3 }, cookies: 'sid=1', env: { REMOTE_ADDR: '1.2.3.4' } },
    ],
    ['drops an empty request', {}, undefined],
  ];
  for (const [name, request, expected] of cases) {
    it(name, () => {
      const event = normalize({ request });
      assert.deepEqual(event.request, expected);
      assert.equal(event.errors, undefined);
    });
  }

  const invalidCases: [string, unknown, string][] = [
    ['a non-object request', 'GET /', 'request'],
    ['headers as a string', { headers: 'User-Agent: x' }, 'request.headers'],
    ['an object header value', { headers: { 'X-A': { b: 1 } } }, 'request.headers.X-A'],
    ['an object url', { url: { href: 'x' } }, 'request.url'],
  ];
  for (const [name, request, path] of invalidCases) {
    it(`drops ${name} and records it`, () => {
      assert.deepEqual(errorTypesAt(normalize({ request }), path), ['invalid_data']);
    });
  }
});
