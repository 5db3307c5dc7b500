import assert from 'node:assert/strict';
import { errorTypesAt, normalize, tagValue } from './test-helpers';

describe('tags', () => {
  const forms: [string, unknown, [string, string][]][] = [
    [
      'an object',
      { region: 'eu-west-1', flow: 'express' },
      [
        ['region', 'eu-west-1'],
        ['flow', 'express'],
      ],
    ],
    [
      'a list of pairs',
      [
        ['region', 'eu-west-1'],
        ['flow', 'express'],
      ],
      [
        ['region', 'eu-west-1'],
        ['flow', 'express'],
      ],
    ],
    [
      'stringified values',
      { n: 3, ok: true },
      [
        ['n', '3'],
        ['ok', 'true'],
      ],
    ],
    ['trimmed keys and values', { ' k ': ' v\n' }, [['k', 'v']]],
    ['null values skipped', { gone: null, kept: 'x' }, [['kept', 'x']]],
    [
      'duplicates, last wins',
      [
        ['a', '1'],
        ['b', '2'],
        ['a', '3'],
      ],
      [
        ['a', '3'],
        ['b', '2'],
      ],
    ],
  ];
  for (const [name, input, expected] of forms) {
    it(`accepts ${name}`, () => {
      const event = normalize({ tags: input, level: 'info', environment: 'x' });
      const explicit = event.tags.slice(0, expected.length);
      assert.deepEqual(explicit, expected);
      assert.equal(event.errors, undefined);
    });
  }

  const dropped: [string, unknown, string][] = [
    ['an empty key', { '': 'v' }, 'tags.'],
    ['an empty value', { k: ' ' }, 'tags.k'],
    ['an object value', { k: { nested: 1 } }, 'tags.k'],
    ['a malformed pair', [['a', 'b', 'c']], 'tags.0'],
    ['a string instead of tags', 'region=eu', 'tags'],
  ];
  for (const [name, input, path] of dropped) {
    it(`drops ${name} and records it`, () => {
      const event = normalize({ tags: input });
      assert.equal(event.tags.filter(([k]) => !['level', 'environment'].includes(k)).length, 0);
      assert.deepEqual(errorTypesAt(event, path), ['invalid_data']);
    });
  }

  it('cuts keys to 32 and values to 200 characters, recording both in _meta', () => {
    const event = normalize({ tags: { ok: 'x', ['k'.repeat(40)]: 'v'.repeat(250) } });
    const [key, value] = event.tags[1];
    assert.equal(key.length, 32);
    assert.equal(value.length, 200);
    assert.ok(value.endsWith('...'));
    assert.deepEqual(event._meta?.tags, {
      1: {
        0: { '': { rem: [['!limit', 's', 29, 32]], len: 40 } },
        1: { '': { rem: [['!limit', 's', 197, 200]], len: 250 } },
      },
    });
  });

  describe('derived tags', () => {
    const full = normalize({
      tags: { region: 'eu' },
      level: 'warning',
      environment: 'staging',
      release: 'shop@1.4.2',
      server_name: 'web-1',
      transaction: 'GET /cart',
      contexts: { os: { name: 'Debian' }, runtime: { name: 'node' }, browser: { name: 'Chrome' } },
      user: { id: 42, email: 'a@example.com' },
      exception: [
        { type: 'TypeError', mechanism: { type: 'chained', handled: true } },
        { type: 'Error', mechanism: { type: 'onerror', handled: false } },
      ],
    });
    const expected: [string, string][] = [
      ['region', 'eu'],
      ['level', 'warning'],
      ['environment', 'staging'],
      ['release', 'shop@1.4.2'],
      ['server_name', 'web-1'],
      ['transaction', 'GET /cart'],
      ['os.name', 'Debian'],
      ['runtime.name', 'node'],
      ['browser.name', 'Chrome'],
      ['user', 'id:42'],
      ['handled', 'no'],
      ['mechanism', 'onerror'],
    ];
    it('come after the explicit tags, in a stable order', () => assert.deepEqual(full.tags, expected));

    it('never override explicit tags', () => {
      const event = normalize({ tags: { level: 'custom', environment: 'mine' }, level: 'fatal' });
      assert.deepEqual(event.tags.slice(0, 2), [
        ['level', 'custom'],
        ['environment', 'mine'],
      ]);
      assert.equal(event.tags.filter(([k]) => k === 'level').length, 1);
    });

    const users: [Record<string, unknown>, string][] = [
      [{ id: 'u-1', email: 'a@b.c' }, 'id:u-1'],
      [{ email: 'a@b.c', username: 'jane' }, 'username:jane'],
      [{ email: 'a@b.c' }, 'email:a@b.c'],
      [{ ip_address: '10.0.0.1' }, 'ip:10.0.0.1'],
    ];
    for (const [user, expectedTag] of users) {
      it(`tags user ${JSON.stringify(user)} as ${expectedTag}`, () => {
        assert.equal(tagValue(normalize({ user }), 'user'), expectedTag);
      });
    }

    it('tags handled yes from the last exception, and leaves out absent values', () => {
      const event = normalize({ exception: [{ type: 'E', mechanism: { type: 'generic', handled: true } }] });
      assert.equal(tagValue(event, 'handled'), 'yes');
      assert.equal(tagValue(event, 'mechanism'), 'generic');
      assert.equal(tagValue(event, 'release'), undefined);
      assert.equal(tagValue(event, 'os.name'), undefined);
    });
  });
});
