import assert from 'node:assert/strict';
import { normalizeMessage } from './normalize-message';

describe('normalizeMessage', () => {
  const cases: Array<[string, string, string]> = [
    ['integers', 'User 123 not found', 'User <int> not found'],
    ['negative numbers and units', 'Retry -5 after 3000ms', 'Retry <int> after <int>ms'],
    ['floats', 'Took 3.25 s', 'Took <float> s'],
    ['ids after underscores and dashes', 'order_8123 for u-1842', 'order_<int> for u-<int>'],
    ['numbers inside identifiers stay', 'sha256 over utf8 v2', 'sha256 over utf8 v2'],
    ['emails', 'Mail to jane.doe@example.com bounced', 'Mail to <email> bounced'],
    [
      'URLs without trailing punctuation',
      'GET https://api.example.com/v1/orders/42?x=1 failed.',
      'GET <url> failed.',
    ],
    ['URLs in parentheses', '(see https://x.example.com/a)', '(see <url>)'],
    ['database URLs', 'connect postgres://app:secret@db:5432/shop', 'connect <url>'],
    ['hostnames', 'getaddrinfo ENOTFOUND db.prod.internal', 'getaddrinfo ENOTFOUND <hostname>'],
    ['localhost with port', 'connect ECONNREFUSED localhost:3000', 'connect ECONNREFUSED <hostname>:<int>'],
    ['IPv4 with port', 'connect ECONNREFUSED 127.0.0.1:5432', 'connect ECONNREFUSED <ip>:<int>'],
    ['IPv6', 'peer 2001:db8::ff00:42:8329 and fe80::1%eth0', 'peer <ip> and <ip>'],
    ['IPv4-mapped IPv6', 'from ::ffff:192.0.2.1', 'from <ip>'],
    ['UUIDs', 'Job 550e8400-e29b-41d4-a716-446655440000 failed', 'Job <uuid> failed'],
    ['hex hashes', 'commit 3f2a9c1b8d missing', 'commit <hex> missing'],
    ['md5 digests', 'etag 5f3a9c2e1b7d4e6f8a9b0c1d2e3f4a5b', 'etag <hex>'],
    ['0x literals', 'segfault at 0x7ffd4a2c', 'segfault at <hex>'],
    ['long mixed ids', 'charge ch_3MmlLrLkdIwHu7ix0snN0B15 failed', 'charge ch_<id> failed'],
    ['ISO timestamps', 'expired at 2024-06-01T12:00:00.123Z', 'expired at <date>'],
    ['ISO dates with space-separated time', 'at 2024-06-01 12:00', 'at <date>'],
    ['bare dates', 'no rates for 2024-06-01', 'no rates for <date>'],
    ['times', 'started 12:34:56', 'started <time>'],
    ['JS Date strings', 'at Tue Jun 04 2024 12:00:00 GMT+0000 (Coordinated Universal Time)', 'at <date>'],
    ['RFC 2822 dates', 'Expires Tue, 4 Jun 2024 12:00:00 +0000', 'Expires <date>'],
    ['=-quoted values', `WHERE name='jane' AND id="77"`, 'WHERE name=<quoted_str> AND id=<quoted_str>'],
    ['other quotes stay', "Cannot find module 'express'", "Cannot find module 'express'"],
    [
      'property paths stay',
      "Cannot read properties of undefined (reading 'items')",
      "Cannot read properties of undefined (reading 'items')",
    ],
    ['file names stay', 'Failed to load inventory.js', 'Failed to load inventory.js'],
    ['scope operators stay', 'Undefined method Foo::bar', 'Undefined method Foo::bar'],
    [
      'first two non-blank lines',
      '\n\n  Query failed  \n\n for user 7\nSELECT 1',
      'Query failed\nfor user <int>',
    ],
    ['CRLF lines', 'a\r\nb\r\nc', 'a\nb'],
  ];
  for (const [what, input, expected] of cases) {
    it(`replaces ${what}`, () => assert.equal(normalizeMessage(input), expected));
  }

  it('maps every variant of a parameterised message to one text', () => {
    const variants = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      variants.add(normalizeMessage(`User ${i * 7919} (${i}@example.com) not found at 10.0.${i % 250}.1`));
    }
    assert.deepEqual([...variants], ['User <int> (<email>) not found at <ip>']);
  });
});
