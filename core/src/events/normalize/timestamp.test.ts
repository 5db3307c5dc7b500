import assert from 'node:assert/strict';
import { clockDriftCorrection, parseTimestamp } from './timestamp';
import { RECEIVED_AT, errorTypesAt, normalize } from './test-helpers';

describe('timestamp', () => {
  const parseCases: [string, unknown, number | undefined][] = [
    ['epoch float', 1795546952.887, 1795546952.887],
    ['epoch integer', 1795546952, 1795546952],
    ['numeric string', '1795546952.5', 1795546952.5],
    ['RFC 3339 UTC', '2026-11-24T19:02:32.910Z', 1795546952.91],
    ['RFC 3339 with offset', '2026-11-24T20:02:32+01:00', 1795546952],
    ['RFC 3339 with compact offset', '2026-11-24T14:32:32-0430', 1795546952],
    ['no zone (taken as UTC)', '2026-11-24T19:02:32', 1795546952],
    ['space separator', '2026-11-24 19:02:32Z', 1795546952],
    ['microseconds kept', '2026-11-24T19:02:32.123456Z', 1795546952.123456],
    ['garbage', 'yesterday', undefined],
    ['month 13', '2026-13-24T19:02:32Z', undefined],
    ['negative', -5, undefined],
    ['NaN', Number.NaN, undefined],
    ['an object', {}, undefined],
  ];
  for (const [name, input, expected] of parseCases) {
    it(`parses ${name}`, () => {
      const parsed = parseTimestamp(input);
      if (expected === undefined) assert.equal(parsed, undefined);
      else assert.ok(parsed !== undefined && Math.abs(parsed - expected) < 1e-6, `${parsed} ≠ ${expected}`);
    });
  }

  it('keeps a plausible timestamp as sent', () => {
    const event = normalize({ timestamp: 1795546952.887 }, { sentAt: RECEIVED_AT - 0.007 });
    assert.equal(event.timestamp, 1795546952.887);
    assert.equal(event.received, RECEIVED_AT);
    assert.equal(event.errors, undefined);
  });

  const fallbacks: [string, unknown, string[]][] = [
    ['missing', undefined, []],
    ['invalid', 'soon', ['invalid_data']],
  ];
  for (const [name, input, errors] of fallbacks) {
    it(`uses the receive time when ${name}`, () => {
      const event = normalize({ timestamp: input });
      assert.equal(event.timestamp, RECEIVED_AT);
      assert.deepEqual(errorTypesAt(event, 'timestamp'), errors);
    });
  }

  describe('clock drift', () => {
    const driftCases: [string, number | undefined, number][] = [
      ['no sent_at', undefined, 0],
      ['30 s slow (transport delay range)', RECEIVED_AT - 30, 0],
      ['exactly 60 s', RECEIVED_AT - 60, 0],
      ['one hour slow', RECEIVED_AT - 3600, 3600],
      ['one hour fast', RECEIVED_AT + 3600, -3600],
    ];
    for (const [name, sentAt, correction] of driftCases) {
      it(`corrects by ${correction} s with ${name}`, () => {
        assert.equal(clockDriftCorrection({ receivedAt: RECEIVED_AT, sentAt }), correction);
      });
    }

    it('shifts the event timestamp by receivedAt - sentAt and records clock_drift', () => {
      // The client clock is an hour behind: it stamped the event 2 s before it sent it.
      const sentAt = RECEIVED_AT - 3600;
      const event = normalize({ timestamp: sentAt - 2 }, { sentAt });
      assert.ok(Math.abs(event.timestamp - (RECEIVED_AT - 2)) < 1e-6);
      assert.deepEqual(errorTypesAt(event, 'timestamp'), ['clock_drift']);
    });

    it('shifts breadcrumb timestamps by the same amount', () => {
      const sentAt = RECEIVED_AT + 7200;
      const event = normalize(
        { timestamp: sentAt - 1, breadcrumbs: [{ timestamp: sentAt - 5, message: 'x' }] },
        { sentAt },
      );
      const crumb = event.breadcrumbs?.values[0];
      assert.ok(crumb?.timestamp !== undefined && Math.abs(crumb.timestamp - (RECEIVED_AT - 5)) < 1e-6);
    });
  });

  describe('future timestamps', () => {
    it('clamps a timestamp more than 60 s ahead to the receive time', () => {
      const event = normalize({ timestamp: RECEIVED_AT + 3600 });
      assert.equal(event.timestamp, RECEIVED_AT);
      assert.deepEqual(errorTypesAt(event, 'timestamp'), ['future_timestamp']);
    });

    it('tolerates up to 60 s ahead', () => {
      const event = normalize({ timestamp: RECEIVED_AT + 30 });
      assert.equal(event.timestamp, RECEIVED_AT + 30);
      assert.equal(event.errors, undefined);
    });

    it('clamps after drift correction, not before', () => {
      // An hour ahead on the wire, but the client clock is an hour fast: after correction it is fine.
      const sentAt = RECEIVED_AT + 3600;
      const event = normalize({ timestamp: sentAt - 1 }, { sentAt });
      assert.ok(Math.abs(event.timestamp - (RECEIVED_AT - 1)) < 1e-6);
      assert.deepEqual(errorTypesAt(event, 'timestamp'), ['clock_drift']);
    });
  });
});
