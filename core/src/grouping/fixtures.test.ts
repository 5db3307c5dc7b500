import assert from 'node:assert/strict';
import { computeGrouping } from './compute-grouping';
import { deriveIssueMetadata } from './issue-metadata';
import { loadFixtureEvent } from './test-fixtures';

/** The captured SDK events described in /work/shared/fixtures/README.md. */
const EVENTS = {
  a: ['node-a-exception', '02'],
  b: ['node-b-exception-regroup', '02'],
  c: ['node-c-cause-chain', '02'],
  d: ['node-d-message', '02'],
  d2: ['node-d2-message-no-stacktrace', '02'],
  e: ['node-e-uncaught', '02'],
  h: ['node-h-large-gzip', '02'],
  browser: ['browser-click-error', '03'],
  preflight: ['browser-click-error-preflight', '04'],
} as const;

const load = (name: keyof typeof EVENTS) => loadFixtureEvent(EVENTS[name][0], EVENTS[name][1]);
const primary = (name: keyof typeof EVENTS) => computeGrouping(load(name)).hashes[0];

describe('grouping the captured SDK fixtures', function () {
  before(function () {});

  it('groups a and b (same throw site, different order id) into one issue', () => {
    assert.equal(primary('a'), primary('b'));
    assert.equal(computeGrouping(load('a')).variant, 'app');
  });

  it('keeps c (a cause chain) apart from a', () => assert.notEqual(primary('c'), primary('a')));

  it('groups the browser event and its preflight twin into one issue', () => {
    assert.deepEqual(computeGrouping(load('browser')), computeGrouping(load('preflight')));
  });

  it('gives every fixture issue its own hash', () => {
    const names = ['a', 'c', 'd', 'e', 'h', 'browser'] as const;
    assert.equal(new Set(names.map(primary)).size, names.length);
  });

  it('groups d by its synthetic stack and d2 by its message', () => {
    assert.equal(computeGrouping(load('d')).variant, 'app');
    assert.equal(computeGrouping(load('d2')).variant, 'message');
  });

  const issues: Array<[keyof typeof EVENTS, string, 'error' | 'default', string, string]> = [
    ['a', 'Error: Order 8123 not found', 'error', 'findOrder(inventory)', 'error'],
    ['b', 'Error: Order 99 not found', 'error', 'findOrder(inventory)', 'error'],
    ['c', 'Error: Could not load cart for checkout', 'error', 'loadCart(checkout)', 'error'],
    ['d', 'Payment provider timeout after 3000 ms', 'default', '', 'warning'],
    ['d2', 'Payment provider timeout after 3000 ms', 'default', '', 'warning'],
    [
      'e',
      'RangeError: Warehouse feed returned HTTP 503',
      'error',
      'syncWarehouse(e-uncaught-child)',
      'fatal',
    ],
    [
      'h',
      'Error: Invoice export failed for batch 2024-06-B',
      'error',
      'exportInvoices(h-large-gzip)',
      'error',
    ],
    ['browser', 'Error: Card validation failed for order 5521', 'error', 'validateCard(checkout)', 'error'],
  ];
  for (const [name, title, type, culprit, level] of issues) {
    it(`titles ${name} "${title}"`, () => {
      const metadata = deriveIssueMetadata(load(name));
      assert.deepEqual(
        [metadata.title, metadata.type, metadata.culprit, metadata.level],
        [title, type, culprit, level],
      );
    });
  }

  it('keeps the crash location of a in the metadata', () => {
    assert.deepEqual(deriveIssueMetadata(load('a')).metadata, {
      type: 'Error',
      value: 'Order 8123 not found',
      filename: '/tmp/fixture-capture/node-client/app/inventory.js',
      function: 'findOrder',
      in_app_frame_mix: 'mixed',
    });
  });
});
