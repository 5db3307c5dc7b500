import assert from 'node:assert/strict';
import type { NormalizedEvent, StackFrame } from '../events/types';
import { computeGrouping, explainGrouping } from './compute-grouping';
import { NODE_INTERNAL_FRAME, exceptionEvent, makeEvent, nodeFrame, thrown } from './test-helpers';
import { GROUPING_VERSION } from './types';

const primary = (event: NormalizedEvent): string => computeGrouping(event).hashes[0];
const distinctPrimaries = (events: NormalizedEvent[]): number => new Set(events.map(primary)).size;

/** The a/b fixture's stack: handleCheckoutJob → orderTotal → findOrder (throws). */
function orderStack(root = '/srv/shop', overrides: Partial<StackFrame> = {}): StackFrame[] {
  return [
    NODE_INTERNAL_FRAME,
    nodeFrame(
      `${root}/app/checkout.js`,
      'Immediate.handleCheckoutJob [as _onImmediate]',
      'resolve(orderTotal(job.orderId));',
    ),
    nodeFrame(`${root}/app/checkout.js`, 'orderTotal', '  const order = findOrder(orderId);', { lineno: 7 }),
    nodeFrame(
      `${root}/app/inventory.js`,
      'findOrder',
      '    throw new Error(`Order ${orderId} not found`);',
      overrides,
    ),
  ];
}

function browserStack(bundleUrl: string, lineOffset = 0): StackFrame[] {
  return [
    {
      filename: bundleUrl,
      function: 'HTMLButtonElement.onPayClick',
      lineno: 24 + lineOffset,
      colno: 3,
      in_app: true,
    },
    { filename: bundleUrl, function: 'submitPayment', lineno: 20 + lineOffset, colno: 3, in_app: true },
    { filename: bundleUrl, function: 'validateCard', lineno: 14 + lineOffset, colno: 11, in_app: true },
  ];
}

const browserEvent = (frames: StackFrame[], value = 'Card validation failed for order 5521') =>
  exceptionEvent(thrown('Error', value, frames), { platform: 'javascript' });

describe('computeGrouping', () => {
  it('returns 32-hex hashes, a variant and the grouping version', () => {
    const result = computeGrouping(exceptionEvent(thrown('Error', 'Order 8123 not found', orderStack())));
    assert.equal(result.version, GROUPING_VERSION);
    assert.equal(result.variant, 'app');
    for (const hash of result.hashes) assert.match(hash, /^[0-9a-f]{32}$/);
  });

  describe('ids in messages do not explode into many issues', () => {
    const templates: Array<[string, (i: number) => string]> = [
      ['numbers', (i) => `User ${i} not found`],
      ['UUIDs', (i) => `Job ${crypto.randomUUID()} failed after ${i} retries`],
      ['emails', (i) => `Cannot deliver to customer${i}@example.com`],
      ['hex ids', (i) => `Document ${(0x5f3a9c2e + i * 977).toString(16)}0d1e not found`],
      ['IPs and ports', (i) => `connect ECONNREFUSED 10.0.${i % 250}.${(i * 7) % 250}:${5000 + i}`],
      ['timestamps', (i) => `Lock expired at ${new Date(1.7e12 + i * 3_600_000).toISOString()}`],
      ['quoted values', (i) => `No row where sku='SKU${i}'`],
    ];
    for (const [what, template] of templates) {
      it(`1000 messages differing in ${what} → 1 hash`, () => {
        const events = Array.from({ length: 1000 }, (_, i) =>
          makeEvent({ message: template(i), level: 'warning' }),
        );
        assert.equal(distinctPrimaries(events), 1);
        assert.equal(computeGrouping(events[0]).variant, 'message');
      });
    }

    it('1000 stackless exceptions differing in ids → 1 hash', () => {
      const events = Array.from({ length: 1000 }, (_, i) =>
        exceptionEvent(thrown('NotFoundError', `User ${i} not found`)),
      );
      assert.equal(distinctPrimaries(events), 1);
    });

    it('keeps different message texts apart', () => {
      const events = ['User 1 not found', 'Order 1 not found', 'User 1 was deleted'].map((message) =>
        makeEvent({ message }),
      );
      assert.equal(distinctPrimaries(events), 3);
    });

    it('groups a logging template rather than its formatted text', () => {
      const a = makeEvent({
        message: 'User alice not found',
        logentry: { message: 'User %s not found', params: ['alice'] },
      });
      const b = makeEvent({
        message: 'User bob not found',
        logentry: { message: 'User %s not found', params: ['bob'] },
      });
      assert.equal(primary(a), primary(b));
    });

    it('does not merge every message sent through a bare "%s" template', () => {
      const a = makeEvent({ message: 'Disk full', logentry: { message: '%s', params: ['Disk full'] } });
      const b = makeEvent({ message: 'Cache miss', logentry: { message: '%s', params: ['Cache miss'] } });
      assert.notEqual(primary(a), primary(b));
    });
  });

  describe('the same error from two deploys stays one issue', () => {
    const cases: Array<[string, NormalizedEvent, NormalizedEvent]> = [
      [
        'different line and column numbers',
        exceptionEvent(
          thrown('Error', 'Order 8123 not found', orderStack('/srv/shop', { lineno: 12, colno: 11 })),
        ),
        exceptionEvent(
          thrown('Error', 'Order 99 not found', orderStack('/srv/shop', { lineno: 40, colno: 5 })),
        ),
      ],
      [
        'different deploy directories',
        exceptionEvent(thrown('Error', 'Order 1 not found', orderStack('/srv/releases/2024-06-01T120000'))),
        exceptionEvent(thrown('Error', 'Order 2 not found', orderStack('/home/deploy/releases/20240602'))),
      ],
      [
        'different directories without a module',
        exceptionEvent(
          thrown(
            'Error',
            'x',
            orderStack('/srv/a').map((frame) => ({ ...frame, module: undefined })),
          ),
        ),
        exceptionEvent(
          thrown(
            'Error',
            'x',
            orderStack('/opt/b/c').map((frame) => ({ ...frame, module: undefined })),
          ),
        ),
      ],
      [
        'different indentation of the context line',
        exceptionEvent(
          thrown(
            'Error',
            'x',
            orderStack('/srv/shop', { context_line: 'throw new Error(`Order ${orderId} not found`);' }),
          ),
        ),
        exceptionEvent(
          thrown(
            'Error',
            'x',
            orderStack('/srv/shop', { context_line: '\t\tthrow new Error(`Order ${orderId} not found`);' }),
          ),
        ),
      ],
      [
        'volatile bundle hashes and CDN hosts',
        browserEvent(browserStack('https://cdn.example.com/static/js/main.3f2a9c1b.js')),
        browserEvent(browserStack('https://cdn2.example.com/static/js/main.7d4e5f60.js?v=2', 5)),
      ],
      [
        'Vite asset hashes',
        browserEvent(browserStack('https://shop.example.com/assets/index-BxT3q2Lc.js')),
        browserEvent(browserStack('https://shop.example.com/assets/index-DiwrgTda.js')),
      ],
      [
        'dev-server ports',
        browserEvent(browserStack('http://localhost:3000/checkout.js')),
        browserEvent(browserStack('http://localhost:5173/checkout.js')),
      ],
      [
        'a different Node version (internal frames and receivers)',
        exceptionEvent(thrown('Error', 'x', orderStack())),
        exceptionEvent(
          thrown('Error', 'x', [
            {
              filename: 'node:internal/process/task_queues',
              function: 'processTicksAndRejections',
              in_app: false,
            },
            ...orderStack().slice(1),
          ]),
        ),
      ],
      [
        'a Sentry SDK upgrade (its in-app listener wrapper renamed by the minifier)',
        browserEvent([
          {
            filename: 'https://shop.example.com/sentry.bundle.min.js',
            function: 'HTMLButtonElement.n',
            in_app: true,
          },
          ...browserStack('https://shop.example.com/checkout.js'),
        ]),
        browserEvent([
          {
            filename: 'https://shop.example.com/sentry.bundle.min.js',
            function: 'HTMLButtonElement.r',
            in_app: true,
          },
          {
            filename: 'https://shop.example.com/sentry.bundle.min.js',
            function: 'sentryWrapped',
            in_app: true,
          },
          ...browserStack('https://shop.example.com/checkout.js'),
        ]),
      ],
      [
        'different recursion depth',
        exceptionEvent(thrown('RangeError', 'x', [...orderStack(), ...Array(3).fill(orderStack()[3])])),
        exceptionEvent(thrown('RangeError', 'x', [...orderStack(), ...Array(40).fill(orderStack()[3])])),
      ],
    ];
    for (const [what, a, b] of cases) {
      it(what, () => assert.equal(primary(a), primary(b)));
    }
  });

  describe('different errors at one throw site stay apart', () => {
    const throwSite = nodeFrame('/srv/shop/app/http.js', 'request', '    throw new HttpError(res.status);');
    const via = (caller: string) => [
      nodeFrame('/srv/shop/app/jobs.js', caller, `  await ${caller}Client.send();`),
      throwSite,
    ];
    it('two callers of one throwing helper → two hashes', () => {
      const a = exceptionEvent(thrown('HttpError', 'Request failed with status 503', via('syncInventory')));
      const b = exceptionEvent(thrown('HttpError', 'Request failed with status 503', via('chargeCard')));
      assert.notEqual(primary(a), primary(b));
    });

    it('two exception types from the same stack → two hashes', () => {
      const a = exceptionEvent(thrown('TypeError', 'x is undefined', via('syncInventory')));
      const b = exceptionEvent(thrown('RangeError', 'x is undefined', via('syncInventory')));
      assert.notEqual(primary(a), primary(b));
    });

    it('the same error with and without a cause → two hashes', () => {
      const cause = thrown(
        'TypeError',
        "Cannot read properties of undefined (reading 'items')",
        via('readLineItems'),
      );
      const error = thrown('Error', 'Could not load cart', via('loadCart'));
      assert.notEqual(primary(exceptionEvent([cause, error])), primary(exceptionEvent(error)));
    });

    it('different code on the throwing line → two hashes', () => {
      const a = exceptionEvent(
        thrown('Error', 'x', orderStack('/srv', { context_line: 'throw new Error(a);' })),
      );
      const b = exceptionEvent(
        thrown('Error', 'x', orderStack('/srv', { context_line: 'throw new Error(b);' })),
      );
      assert.notEqual(primary(a), primary(b));
    });
  });

  describe('exception values', () => {
    it('are ignored when a stack trace contributes', () => {
      const a = exceptionEvent(thrown('Error', 'Card declined', orderStack()));
      const b = exceptionEvent(thrown('Error', 'Network unreachable', orderStack()));
      assert.equal(primary(a), primary(b));
    });

    const stackless: Array<[string, [string, string], [string, string], boolean]> = [
      [
        'same type, values differing in numbers',
        ['Error', 'Order 8123 not found'],
        ['Error', 'Order 99 not found'],
        true,
      ],
      ['same type, different values', ['Error', 'Order not found'], ['Error', 'Cart not found'], false],
      ['different types, same value', ['TypeError', 'boom'], ['RangeError', 'boom'], false],
      ['values differing after the second line', ['Error', 'a\nb\nc'], ['Error', 'a\nb\nd'], true],
      ['values differing on the second line', ['Error', 'a\nb'], ['Error', 'a\nc'], false],
    ];
    for (const [what, [typeA, valueA], [typeB, valueB], same] of stackless) {
      it(`without a stack use type + normalized value: ${what} → ${same ? 'one hash' : 'two hashes'}`, () => {
        const a = exceptionEvent(thrown(typeA, valueA));
        const b = exceptionEvent(thrown(typeB, valueB));
        assert.equal(primary(a) === primary(b), same);
      });
    }

    it('count when the only frames are dropped as native', () => {
      const native: StackFrame[] = [{ filename: '[native code]', function: 'forEach', in_app: false }];
      const a = exceptionEvent(thrown('TypeError', 'a is null', native), { platform: 'javascript' });
      const b = exceptionEvent(thrown('TypeError', 'b is null', native), { platform: 'javascript' });
      assert.notEqual(primary(a), primary(b));
    });
  });

  describe('app and system variants', () => {
    const library = (version: string): StackFrame =>
      nodeFrame(
        `/srv/shop/node_modules/pg/lib/client-${version}.js`,
        'Client.query',
        'return this._query(q);',
        {
          module: `pg.lib:client-${version}`,
          in_app: false,
        },
      );

    it('groups by in-app frames only when there are any', () => {
      const a = exceptionEvent(thrown('Error', 'x', [library('8.11'), ...orderStack().slice(1)]));
      const b = exceptionEvent(thrown('Error', 'x', [library('8.12'), ...orderStack().slice(1)]));
      const ga = computeGrouping(a);
      const gb = computeGrouping(b);
      assert.equal(ga.variant, 'app');
      assert.equal(ga.hashes[0], gb.hashes[0]);
      assert.equal(ga.hashes.length, 2, 'system hash as the secondary');
      assert.notEqual(ga.hashes[1], gb.hashes[1]);
    });

    it('falls back to all frames (system) when no frame is in-app', () => {
      const system = (fn: string) =>
        exceptionEvent(
          thrown('Error', 'x', [
            library('8.11'),
            { ...library('8.11'), function: fn, context_line: `${fn}();` },
          ]),
        );
      const result = computeGrouping(system('Pool.connect'));
      assert.equal(result.variant, 'system');
      assert.deepEqual(result.hashes.length, 1);
      assert.notEqual(primary(system('Pool.connect')), primary(system('Pool.end')));
      const explanation = explainGrouping(system('Pool.connect'));
      assert.equal(explanation.variants[0].component.hint, 'ignored because no in-app frame contributes');
    });

    it('lets an issue created from the system variant match once frames are marked in-app', () => {
      const frames = [library('8.11'), ...orderStack().slice(1)];
      const before = exceptionEvent(
        thrown(
          'Error',
          'x',
          frames.map((frame) => ({ ...frame, in_app: false })),
        ),
      );
      const after = exceptionEvent(thrown('Error', 'x', frames));
      assert.equal(computeGrouping(before).variant, 'system');
      assert.equal(computeGrouping(after).hashes[1], primary(before));
    });

    it('treats frames without in_app as system frames', () => {
      const frames = orderStack()
        .slice(1)
        .map((frame) => ({ ...frame, in_app: undefined }));
      assert.equal(computeGrouping(exceptionEvent(thrown('Error', 'x', frames))).variant, 'system');
    });
  });

  describe('synthetic exceptions', () => {
    const captureSite = [
      nodeFrame('/srv/shop/app/pay.js', 'Object.?', "Sentry.captureMessage(msg, 'warning');"),
    ];
    const synthetic = (message: string, frames?: StackFrame[]) =>
      makeEvent({
        level: 'warning',
        message,
        exception: {
          values: [
            { value: message, stacktrace: frames ? { frames } : undefined, mechanism: { synthetic: true } },
          ],
        },
      });

    it('group a message with an attached stack by that stack', () => {
      const a = synthetic('Payment provider timeout after 3000 ms', captureSite);
      const b = synthetic('Payment provider down', captureSite);
      assert.equal(primary(a), primary(b));
      assert.equal(computeGrouping(a).variant, 'app');
    });

    it('contribute neither type nor value', () => {
      const leaves = explainGrouping(synthetic('Payment provider down', captureSite)).variants[0].component;
      const ids = JSON.stringify(leaves);
      assert.ok(ids.includes('"hint":"ignored because exception is synthetic"'));
    });

    it('fall back to the message when they have no stack', () => {
      const result = computeGrouping(synthetic('Payment provider timeout after 3000 ms'));
      assert.equal(result.variant, 'message');
      assert.equal(result.hashes[0], primary(makeEvent({ message: 'Payment provider timeout after 15 ms' })));
    });
  });

  describe('precedence', () => {
    it('prefers the exception over the message', () => {
      const a = exceptionEvent(thrown('Error', 'x', orderStack()), { message: 'one' });
      const b = exceptionEvent(thrown('Error', 'x', orderStack()), { message: 'two' });
      assert.equal(primary(a), primary(b));
    });

    it('uses a top-level stack trace when there is no exception', () => {
      const withStack = (message: string) =>
        ({ ...makeEvent({ message }), stacktrace: { frames: orderStack() } }) as NormalizedEvent;
      assert.equal(primary(withStack('one')), primary(withStack('two')));
      assert.equal(computeGrouping(withStack('one')).variant, 'app');
    });

    it("uses a single thread's stack trace", () => {
      const threads = (frames: StackFrame[]) =>
        makeEvent({ threads: { values: [{ id: 1, stacktrace: { frames } }] } });
      assert.equal(computeGrouping(threads(orderStack())).variant, 'app');
      assert.notEqual(
        primary(threads(orderStack())),
        primary(threads(orderStack('/x', { function: 'other' }))),
      );
    });

    it('ignores several threads', () => {
      const event = makeEvent({
        message: 'hang',
        threads: {
          values: [{ stacktrace: { frames: orderStack() } }, { stacktrace: { frames: orderStack() } }],
        },
      });
      assert.equal(computeGrouping(event).variant, 'message');
    });

    it('falls back to one fallback hash when nothing identifies the event', () => {
      const a = computeGrouping(makeEvent());
      const b = computeGrouping(exceptionEvent({ mechanism: { synthetic: true } }));
      assert.equal(a.variant, 'fallback');
      assert.deepEqual(a.hashes, b.hashes);
    });

    it('separates a message from a stackless exception with the same text', () => {
      assert.notEqual(
        primary(makeEvent({ message: 'boom' })),
        primary(exceptionEvent(thrown(undefined, 'boom'))),
      );
    });
  });

  describe('SDK fingerprints', () => {
    const error = (value: string, fingerprint?: string[], stack = orderStack()) =>
      exceptionEvent(thrown('Error', value, stack), {
        fingerprint,
        transaction: 'GET /orders/:id',
        tags: [['region', 'eu']],
      });

    it('{{ default }} extends the default hashes', () => {
      const plain = computeGrouping(error('x'));
      const extended = computeGrouping(error('x', ['{{ default }}', 'tenant-a']));
      assert.equal(extended.variant, 'app');
      assert.notEqual(extended.hashes[0], plain.hashes[0]);
      assert.notEqual(primary(error('x', ['{{ default }}', 'tenant-b'])), extended.hashes[0]);
      const otherStack = error(
        'x',
        ['{{ default }}', 'tenant-a'],
        orderStack('/srv', { function: 'loadOrder' }),
      );
      assert.notEqual(primary(otherStack), extended.hashes[0], 'the default part still counts');
    });

    it('accepts {{default}} without spaces', () => {
      assert.equal(primary(error('x', ['{{default}}', 'a'])), primary(error('x', ['{{ default }}', 'a'])));
    });

    it('changes nothing when it is only {{ default }}', () => {
      assert.deepEqual(computeGrouping(error('x', ['{{ default }}'])), computeGrouping(error('x')));
      assert.deepEqual(computeGrouping(error('x', [])), computeGrouping(error('x')));
    });

    it('replaces the default grouping without {{ default }}', () => {
      const a = computeGrouping(error('x', ['payment-timeout']));
      const b = computeGrouping(
        makeEvent({ message: 'completely different', fingerprint: ['payment-timeout'], platform: 'python' }),
      );
      assert.equal(a.variant, 'custom-fingerprint');
      assert.equal(a.hashes.length, 1);
      assert.deepEqual(a.hashes, b.hashes);
      assert.notEqual(primary(error('x', ['payment-declined'])), a.hashes[0]);
    });

    it('does not collide with a message of the same text', () => {
      assert.notEqual(primary(makeEvent({ fingerprint: ['boom'] })), primary(makeEvent({ message: 'boom' })));
    });

    const variables: Array<[string, string[], string[], boolean]> = [
      ['{{ type }} like {{ error.type }}', ['{{ type }}'], ['{{ error.type }}'], true],
      ['{{ function }} of the crash frame', ['{{ function }}'], ['findOrder'], true],
      ['{{ module }} of the crash frame', ['{{ module }}'], ['inventory'], true],
      ['{{ transaction }}', ['{{ transaction }}'], ['GET /orders/:id'], true],
      ['{{ tags.region }}', ['{{ tags.region }}'], ['eu'], true],
      ['{{ message }} (raw value)', ['{{ message }}'], ['x'], true],
      ['{{ level }}', ['{{ level }}'], ['error'], true],
      ['unknown variables as literal text', ['{{ nope }}'], ['{{ nope }}'], true],
      ['missing variables as placeholders', ['{{ logger }}'], ['<no-logger>'], true],
      ['different literal values', ['a'], ['b'], false],
    ];
    for (const [what, left, right, same] of variables) {
      it(`resolves ${what}`, () =>
        assert.equal(primary(error('x', left)) === primary(error('x', right)), same));
    }
  });
});
