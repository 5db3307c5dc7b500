import assert from 'node:assert/strict';
import type { NormalizedEvent, StackFrame } from '../events/types';
import { deriveCulprit, frameCulprit, moduleFromUrl } from './culprit';
import { deriveIssueMetadata } from './issue-metadata';
import { NODE_INTERNAL_FRAME, exceptionEvent, makeEvent, nodeFrame, thrown } from './test-helpers';

const findOrder = nodeFrame(
  '/srv/shop/app/inventory.js',
  'findOrder',
  'throw new Error(`Order ${id} not found`);',
);
const orderTotal = nodeFrame('/srv/shop/app/checkout.js', 'orderTotal', 'const order = findOrder(orderId);');

describe('deriveIssueMetadata', () => {
  describe('titles', () => {
    const cases: Array<[string, NormalizedEvent, 'error' | 'default', string]> = [
      [
        'type: value',
        exceptionEvent(thrown('Error', 'Order 8123 not found', [findOrder])),
        'error',
        'Error: Order 8123 not found',
      ],
      [
        'the type alone without a value',
        exceptionEvent(thrown('AbortError', undefined)),
        'error',
        'AbortError',
      ],
      [
        'the value alone without a type',
        exceptionEvent(thrown(undefined, 'socket hang up')),
        'error',
        'socket hang up',
      ],
      [
        'the first non-blank line of the value',
        exceptionEvent(thrown('Error', '\nQuery failed\nSELECT 1')),
        'error',
        'Error: Query failed',
      ],
      [
        'the last (thrown) exception of a chain',
        exceptionEvent([thrown('TypeError', 'x is undefined'), thrown('Error', 'Could not load cart')]),
        'error',
        'Error: Could not load cart',
      ],
      [
        'the function when the exception has neither type nor value',
        exceptionEvent({ stacktrace: { frames: [findOrder] } }),
        'error',
        'findOrder',
      ],
      [
        'the message of a message event',
        makeEvent({ message: 'Payment provider timeout after 3000 ms' }),
        'default',
        'Payment provider timeout after 3000 ms',
      ],
      [
        'the first line of a multi-line message',
        makeEvent({ message: 'Slow query\nSELECT * FROM orders' }),
        'default',
        'Slow query',
      ],
      [
        'the logentry when there is no message',
        makeEvent({ logentry: { formatted: 'Cache cold' } }),
        'default',
        'Cache cold',
      ],
      [
        'the message, not a synthetic exception',
        makeEvent({
          message: 'Payment provider timeout after 3000 ms',
          exception: {
            values: [
              { value: 'ignored text', mechanism: { synthetic: true }, stacktrace: { frames: [findOrder] } },
            ],
          },
        }),
        'default',
        'Payment provider timeout after 3000 ms',
      ],
      [
        "a synthetic exception's value when there is no message",
        makeEvent({ exception: { values: [{ value: 'Captured text', mechanism: { synthetic: true } }] } }),
        'default',
        'Captured text',
      ],
      ['a placeholder for an empty event', makeEvent(), 'default', '<unlabeled event>'],
    ];
    for (const [what, event, type, title] of cases) {
      it(`uses ${what}`, () => {
        const metadata = deriveIssueMetadata(event);
        assert.equal(metadata.title, title);
        assert.equal(metadata.type, type);
      });
    }

    it('truncates long titles to 200 characters', () => {
      const title = deriveIssueMetadata(exceptionEvent(thrown('Error', 'x'.repeat(5000)))).title;
      assert.equal(title.length, 200);
      assert.ok(title.startsWith('Error: xxx') && title.endsWith('…'));
    });

    it('carries the level', () => {
      assert.equal(deriveIssueMetadata(makeEvent({ message: 'm', level: 'warning' })).level, 'warning');
      assert.equal(deriveIssueMetadata(exceptionEvent(thrown('E', 'v'), { level: 'fatal' })).level, 'fatal');
    });
  });

  describe('metadata', () => {
    it('describes errors by type, value, crash location and frame mix', () => {
      const event = exceptionEvent(
        thrown('Error', 'Order 8123 not found', [NODE_INTERNAL_FRAME, orderTotal, findOrder]),
      );
      assert.deepEqual(deriveIssueMetadata(event).metadata, {
        type: 'Error',
        value: 'Order 8123 not found',
        filename: '/srv/shop/app/inventory.js',
        function: 'findOrder',
        in_app_frame_mix: 'mixed',
      });
    });

    it('describes message events by title', () => {
      assert.deepEqual(deriveIssueMetadata(makeEvent({ message: 'Cache cold' })).metadata, {
        title: 'Cache cold',
      });
    });

    it('reports frame mixes', () => {
      const mix = (frames: StackFrame[]) =>
        deriveIssueMetadata(exceptionEvent(thrown('E', 'v', frames))).metadata.in_app_frame_mix;
      assert.equal(mix([findOrder]), 'in-app-only');
      assert.equal(mix([NODE_INTERNAL_FRAME]), 'system-only');
      assert.equal(
        deriveIssueMetadata(exceptionEvent(thrown('E', 'v'))).metadata.in_app_frame_mix,
        undefined,
      );
    });
  });
});

describe('culprit', () => {
  const cases: Array<[string, NormalizedEvent, string]> = [
    [
      'the SDK culprit first',
      exceptionEvent(thrown('E', 'v', [findOrder]), { culprit: 'legacy', transaction: 'GET /x' }),
      'legacy',
    ],
    [
      'the transaction next',
      exceptionEvent(thrown('E', 'v', [findOrder]), { transaction: 'GET /orders/:id' }),
      'GET /orders/:id',
    ],
    [
      'function(module) for Node',
      exceptionEvent(thrown('E', 'v', [orderTotal, findOrder])),
      'findOrder(inventory)',
    ],
    [
      'the innermost in-app frame',
      exceptionEvent(thrown('E', 'v', [orderTotal, findOrder, { ...NODE_INTERNAL_FRAME, function: 'emit' }])),
      'findOrder(inventory)',
    ],
    [
      'the innermost frame when none is in-app',
      exceptionEvent(thrown('E', 'v', [{ ...NODE_INTERNAL_FRAME }])),
      'process.processImmediate(timers)',
    ],
    [
      'the last exception that has frames',
      exceptionEvent([thrown('TypeError', 'v', [orderTotal]), thrown('Error', 'w', [findOrder])]),
      'findOrder(inventory)',
    ],
    [
      'a module made from the URL for browser frames',
      exceptionEvent(
        thrown('Error', 'v', [
          { filename: 'http://127.0.0.1:38431/checkout.js', function: 'validateCard', in_app: true },
        ]),
        {
          platform: 'javascript',
        },
      ),
      'validateCard(checkout)',
    ],
    [
      '? for unknown functions and the cleaned function name',
      exceptionEvent(thrown('E', 'v', [{ ...findOrder, function: 'Object.<anonymous>' }])),
      '?(inventory)',
    ],
    [
      'module in function for Python',
      exceptionEvent(
        thrown('KeyError', "'sku'", [
          { filename: 'shop/cart.py', module: 'shop.cart', function: 'add_item', in_app: true },
        ]),
        {
          platform: 'python',
        },
      ),
      'shop.cart in add_item',
    ],
    [
      'the function for native code',
      exceptionEvent(
        thrown('SIGSEGV', undefined, [
          { function: 'Renderer::draw', filename: 'renderer.cpp', in_app: true },
        ]),
        {
          platform: 'native',
        },
      ),
      'Renderer::draw',
    ],
    [
      'nothing for a message with a synthetic stack',
      makeEvent({
        message: 'm',
        exception: {
          values: [{ value: 'm', mechanism: { synthetic: true }, stacktrace: { frames: [findOrder] } }],
        },
      }),
      '',
    ],
    [
      'the request URL without frames',
      makeEvent({ message: 'm', request: { url: 'https://shop.example.com/cart' } }),
      'https://shop.example.com/cart',
    ],
    ['an empty culprit otherwise', makeEvent({ message: 'm' }), ''],
  ];
  for (const [what, event, expected] of cases) {
    it(`uses ${what}`, () => {
      assert.equal(deriveCulprit(event), expected);
      assert.equal(deriveIssueMetadata(event).culprit, expected);
    });
  }

  it('uses the filename when there is no module', () => {
    assert.equal(
      frameCulprit({ filename: '/app/inventory.js', function: 'findOrder' }, 'node'),
      'findOrder(/app/inventory.js)',
    );
  });

  const urls: Array<[string, string]> = [
    ['http://127.0.0.1:38431/checkout.js', 'checkout'],
    ['https://cdn.example.com/static/js/app.3f2a9c1.min.js?v=2', 'app'],
    ['https://cdn.example.com/static/js/v1.2.0/widgets/cart.js', 'widgets/cart'],
    ['https://cdn.example.com/', '?'],
  ];
  for (const [url, module] of urls) {
    it(`turns ${url} into the module ${module}`, () => assert.equal(moduleFromUrl(url), module));
  }
});
