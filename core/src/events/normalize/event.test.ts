import assert from 'node:assert/strict';
import { BadRequestError } from '../../errors';
import { normalizeEvent } from './event';
import { RECEIVED_AT, errorTypesAt, normalize } from './test-helpers';

describe('normalizeEvent', () => {
  const notObjects: [string, unknown][] = [
    ['null', null],
    ['an array', [{ event_id: 'x' }]],
    ['a string', '{"event_id":"x"}'],
    ['a number', 42],
  ];
  for (const [name, payload] of notObjects) {
    it(`refuses ${name} with invalid_event`, () => {
      assert.throws(
        () => normalizeEvent(payload, { receivedAt: RECEIVED_AT }),
        (error: unknown) => error instanceof BadRequestError && error.code === 'invalid_event',
      );
    });
  }

  it('turns an empty object into a complete event with defaults', () => {
    const event = normalizeEvent({}, { receivedAt: RECEIVED_AT });
    assert.match(event.event_id, /^[0-9a-f]{32}$/);
    assert.equal(event.timestamp, RECEIVED_AT);
    assert.equal(event.received, RECEIVED_AT);
    assert.equal(event.platform, 'other');
    assert.equal(event.level, 'error');
    assert.equal(event.environment, 'production');
    assert.deepEqual(event.tags, [
      ['level', 'error'],
      ['environment', 'production'],
    ]);
  });

  it('never throws on weird field types', () => {
    const weird = [null, 1, 'x', true, [], [1, 'a', null], { a: { b: [] } }];
    for (const value of weird) {
      // prettier-ignore
      const payload = Object.fromEntries(
        ['event_id', 'timestamp', 'platform', 'level', 'environment', 'release', 'dist', 'logger', 'transaction',
          'server_name', 'culprit', 'message', 'logentry', 'tags', 'extra', 'contexts', 'user', 'request',
          'breadcrumbs', 'exception', 'stacktrace', 'threads', 'fingerprint', 'sdk', 'modules'].map((k) => [k, value]),
      );
      assert.doesNotThrow(() => normalizeEvent(payload, { receivedAt: RECEIVED_AT }), JSON.stringify(value));
    }
  });

  describe('fingerprint', () => {
    const cases: [unknown, string[] | undefined, number][] = [
      [['{{ default }}', 'db'], ['{{ default }}', 'db'], 0],
      [['a', 3, true], ['a', '3', 'true'], 0],
      [['a', { b: 1 }, null], ['a'], 2],
      [[], undefined, 0],
      ['a', undefined, 1],
    ];
    for (const [input, expected, errorCount] of cases) {
      it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
        const event = normalize({ fingerprint: input });
        assert.deepEqual(event.fingerprint, expected);
        assert.equal(event.errors?.length ?? 0, errorCount);
      });
    }
  });

  describe('objects kept as sent', () => {
    it('keeps extra, sdk, modules and threads', () => {
      const payload = {
        extra: { rawResponse: 'x'.repeat(1024) },
        sdk: { name: 'sentry.javascript.node', version: '11.12.0', integrations: ['Http'] },
        modules: { express: '4.19.2' },
        threads: { values: [{ id: 1, crashed: true }] },
      };
      const event = normalize(payload);
      assert.deepEqual(
        { extra: event.extra, sdk: event.sdk, modules: event.modules, threads: event.threads },
        payload,
      );
      assert.equal(event.errors, undefined);
    });

    it('wraps a bare threads list', () => {
      assert.deepEqual(normalize({ threads: [{ id: 1 }] }).threads, { values: [{ id: 1 }] });
    });

    const invalidCases: [string, unknown][] = [
      ['extra', 'text'],
      ['sdk', ['node']],
      ['modules', 'express'],
      ['threads', 3],
    ];
    for (const [field, value] of invalidCases) {
      it(`drops a non-object ${field} and records it`, () => {
        const event = normalize({ [field]: value });
        assert.equal(event[field as 'extra'], undefined);
        assert.deepEqual(errorTypesAt(event, field), ['invalid_data']);
      });
    }
  });
});
