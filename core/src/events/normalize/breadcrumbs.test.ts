import assert from 'node:assert/strict';
import type { Breadcrumb } from '../types';
import { RECEIVED_AT, errorTypesAt, normalize } from './test-helpers';

describe('breadcrumbs', () => {
  const crumb: Breadcrumb = {
    timestamp: 1795546952.88,
    category: 'cart',
    message: 'Added MUG-01',
    level: 'info',
  };
  // prettier-ignore
  const cases: [string, unknown, Breadcrumb[] | undefined][] = [
    ['wraps a bare list', [crumb], [crumb]],
    ['keeps {values}', { values: [crumb] }, [crumb]],
    ['parses RFC 3339 timestamps', [{ timestamp: '2026-11-24T19:02:32.500Z' }], [{ timestamp: 1795546952.5 }]],
    ['normalizes levels', [{ level: 'warn' }, { level: 'log' }, { level: 'CRITICAL' }], [{ level: 'warning' }, { level: 'info' }, { level: 'fatal' }]],
    ['keeps type and data', [{ type: 'http', data: { status_code: 503 } }], [{ type: 'http', data: { status_code: 503 } }]],
    ['skips nulls', [null, crumb], [crumb]],
    ['drops an empty list', [], undefined],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const event = normalize({ breadcrumbs: input });
      assert.deepEqual(event.breadcrumbs, expected === undefined ? undefined : { values: expected });
      assert.equal(event.errors, undefined);
    });
  }

  it('keeps the newest 100 and records items_dropped', () => {
    const list = Array.from({ length: 130 }, (_, i) => ({
      timestamp: RECEIVED_AT - 200 + i,
      message: `m${i}`,
    }));
    const event = normalize({ breadcrumbs: list });
    const values = event.breadcrumbs?.values ?? [];
    assert.equal(values.length, 100);
    assert.equal(values[0].message, 'm30');
    assert.equal(values[99].message, 'm129');
    assert.deepEqual(event._meta?.breadcrumbs, { values: { '': { len: 130 } } });
  });

  const invalidCases: [string, unknown, string][] = [
    ['a non-object crumb', ['click'], 'breadcrumbs.values.0'],
    ['a bad timestamp', [{ timestamp: 'later', message: 'x' }], 'breadcrumbs.values.0.timestamp'],
    ['an unknown level', [{ level: 'loud' }], 'breadcrumbs.values.0.level'],
    ['a string for breadcrumbs', 'crumbs', 'breadcrumbs'],
  ];
  for (const [name, input, path] of invalidCases) {
    it(`drops ${name} and records it`, () => {
      assert.deepEqual(errorTypesAt(normalize({ breadcrumbs: input }), path), ['invalid_data']);
    });
  }

  it('cuts long messages to 8192 characters', () => {
    const event = normalize({ breadcrumbs: [{ message: 'x'.repeat(9000) }] });
    assert.equal(event.breadcrumbs?.values[0].message?.length, 8192);
    assert.deepEqual(event._meta, {
      breadcrumbs: { values: { 0: { message: { '': { rem: [['!limit', 's', 8189, 8192]], len: 9000 } } } } },
    });
  });
});
