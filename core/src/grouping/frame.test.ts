import assert from 'node:assert/strict';
import type { StackFrame } from '../events/types';
import { contributingLeaves } from './component';
import { frameComponent, groupingFilename, isLowQualityFrame, normalizeVolatileName } from './frame';
import { cleanFunctionName } from './function-name';

describe('cleanFunctionName', () => {
  const cases: Array<[string, string | undefined, string, string | undefined]> = [
    ['keeps plain names', 'findOrder', 'node', 'findOrder'],
    ['strips Object.', 'Object.foo', 'node', 'foo'],
    ['strips Module.', 'Module.bar', 'javascript', 'bar'],
    ['strips Function.', 'Function.executeUserEntryPoint', 'node', 'executeUserEntryPoint'],
    ['strips async', 'async handleRequest', 'node', 'handleRequest'],
    ['strips new', 'new OrderService', 'node', 'OrderService'],
    [
      'strips V8 aliases',
      'Immediate.handleCheckoutJob [as _onImmediate]',
      'node',
      'Immediate.handleCheckoutJob',
    ],
    ['keeps real receivers', 'HTMLButtonElement.n', 'javascript', 'HTMLButtonElement.n'],
    ['drops Object.<anonymous>', 'Object.<anonymous>', 'node', undefined],
    ['drops Object.?', 'Object.?', 'node', undefined],
    ['drops ?', '?', 'node', undefined],
    ['drops <anonymous>', '<anonymous>', 'javascript', undefined],
    ['drops IE anonymous', 'Anonymous function', 'javascript', undefined],
    ['drops Firefox closures', 'onPayClick/<', 'javascript', undefined],
    ['drops missing names', undefined, 'node', undefined],
    ['leaves other platforms alone', 'Object.foo', 'python', 'Object.foo'],
    ['collapses ruby blocks', 'block (2 levels) in process', 'ruby', 'block'],
    ['strips erb suffixes', '_app_views_show_html_erb__1234567_8901234', 'ruby', '_app_views_show_html_erb'],
    ['drops java lambdas', 'lambda$main$0', 'java', undefined],
    ['drops php anonymous classes', 'class@anonymous/app/x.php', 'php', undefined],
  ];
  for (const [what, raw, platform, expected] of cases) {
    it(what, () => assert.equal(cleanFunctionName(raw, platform), expected));
  }
});

describe('groupingFilename', () => {
  const cases: Array<[string, string, string]> = [
    ['absolute paths', '/srv/app/releases/20240601/app/Inventory.js', 'inventory.js'],
    ['Windows paths', 'C:\\app\\src\\Orders.cs', 'orders.cs'],
    ['URL origins and ports', 'http://localhost:3001/main.js', 'main.js'],
    ['query strings and fragments', 'https://cdn.example.com/app.js?v=123#x', 'app.js'],
    ['webpack URLs', 'webpack:///./src/checkout.js', 'checkout.js'],
    ['dot-separated content hashes', 'https://cdn.example.com/static/js/app.3f2a9c.js', 'app.<hash>.js'],
    ['chunk hashes', '/_next/static/chunks/pages/index-5f3a9c2e1b7d4e6f.js', 'index-<hash>.js'],
    ['several hashes', '/js/342.3f2a9c1b.chunk.js', '342.<hash>.chunk.js'],
    ['Vite hashes', '/assets/index-BxT3q2Lc.js', 'index-<hash>.js'],
    ['Vite hashes without digits', '/assets/index-DiwrgTda.js', 'index-<hash>.js'],
    ['whole-name hashes', '/dist/3f2a9c1b.js', '<hash>.js'],
    ['plain words that look hex-ish', '/app/facade.js', 'facade.js'],
    ['plain dashed names', '/app/user-settings.js', 'user-settings.js'],
  ];
  for (const [what, path, expected] of cases) {
    it(`normalizes ${what}`, () => assert.equal(groupingFilename(path), expected));
  }

  it('leaves names without hashes unchanged', () =>
    assert.equal(normalizeVolatileName('checkout.js'), 'checkout.js'));
});

describe('isLowQualityFrame', () => {
  const cases: Array<[string, StackFrame, string, boolean]> = [
    ['node:internal frames', { filename: 'node:internal/timers', function: 'listOnTimeout' }, 'node', true],
    ['other node: built-ins', { filename: 'node:events', function: 'EventEmitter.emit' }, 'node', true],
    ['old-style internal frames', { filename: 'internal/process/task_queues.js' }, 'node', true],
    ['native filenames', { filename: 'native', function: 'Array.forEach' }, 'javascript', true],
    ["Safari's [native code]", { filename: '[native code]', function: 'forEach' }, 'javascript', true],
    ['<anonymous> files', { filename: '<anonymous>', function: 'foo' }, 'node', true],
    ['eval', { filename: '/app/x.js', function: 'eval' }, 'javascript', true],
    ['app frames', { filename: '/app/x.js', function: 'foo' }, 'node', false],
    ['python frames named like node', { filename: 'node:thing', function: 'foo' }, 'python', false],
  ];
  for (const [what, frame, platform, expected] of cases) {
    it(`${expected ? 'drops' : 'keeps'} ${what}`, () =>
      assert.equal(isLowQualityFrame(frame, platform), expected));
  }
});

describe('frameComponent', () => {
  const frame: StackFrame = {
    filename: '/tmp/deploy-17/app/inventory.js',
    module: 'inventory',
    function: 'findOrder',
    lineno: 12,
    colno: 11,
    context_line: '    throw new Error(`Order ${orderId} not found`);',
  };
  const cases: Array<[string, StackFrame, string, Array<[string, string]>]> = [
    [
      'module, function and trimmed context line; never line numbers',
      frame,
      'node',
      [
        ['module', 'inventory'],
        ['function', 'findOrder'],
        ['context-line', 'throw new Error(`Order ${orderId} not found`);'],
      ],
    ],
    [
      'the filename when there is no module',
      { ...frame, module: undefined },
      'node',
      [
        ['filename', 'inventory.js'],
        ['function', 'findOrder'],
        ['context-line', 'throw new Error(`Order ${orderId} not found`);'],
      ],
    ],
    [
      'no context line above 120 characters',
      { ...frame, context_line: `  foo(${'x'.repeat(130)});` },
      'node',
      [
        ['module', 'inventory'],
        ['function', 'findOrder'],
      ],
    ],
    [
      'no context line for platforms without trusted source',
      { ...frame, module: 'com.shop.Inventory', context_line: 'throw x;' },
      'java',
      [
        ['module', 'com.shop.Inventory'],
        ['function', 'findOrder'],
      ],
    ],
    [
      'collapsed whitespace in context lines',
      { ...frame, context_line: '\t\treturn  a +\tb;  ' },
      'python',
      [
        ['module', 'inventory'],
        ['function', 'findOrder'],
        ['context-line', 'return a + b;'],
      ],
    ],
    [
      'no URL-origin context line without a function',
      { filename: 'https://shop.example.com/app.js', function: '?', context_line: 'x()' },
      'javascript',
      [['filename', 'app.js']],
    ],
    [
      'nothing for native frames',
      { ...frame, filename: '[native code]', module: undefined },
      'javascript',
      [],
    ],
  ];
  for (const [what, input, platform, expected] of cases) {
    it(`uses ${what}`, () => assert.deepEqual(contributingLeaves(frameComponent(input, platform)), expected));
  }

  it("uses the frame's own platform over the event's", () => {
    const leaves = contributingLeaves(frameComponent({ ...frame, platform: 'java' }, 'node'));
    assert.ok(!leaves.some(([id]) => id === 'context-line'));
  });
});
