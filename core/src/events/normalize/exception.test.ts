import assert from 'node:assert/strict';
import type { ExceptionValue, StackFrame } from '../types';
import { errorTypesAt, normalize } from './test-helpers';

const frame = (fn: string, lineno = 1): Record<string, unknown> => ({
  filename: 'app.js',
  function: fn,
  lineno,
});

describe('exception', () => {
  // prettier-ignore
  const shapes: [string, unknown, ExceptionValue[] | undefined][] = [
    ['keeps {values}', { values: [{ type: 'Error', value: 'boom' }] }, [{ type: 'Error', value: 'boom' }]],
    ['wraps a bare list', [{ type: 'Error', value: 'boom' }], [{ type: 'Error', value: 'boom' }]],
    [
      'keeps the order oldest → newest',
      [{ type: 'TypeError', value: 'cause' }, { type: 'Error', value: 'outer' }],
      [{ type: 'TypeError', value: 'cause' }, { type: 'Error', value: 'outer' }],
    ],
    ['keeps a value-only exception (synthetic)', [{ value: 'msg', mechanism: { type: 'generic', synthetic: true } }], [{ value: 'msg', mechanism: { type: 'generic', synthetic: true } }]],
    ['stringifies a numeric value', [{ type: 'E', value: 42 }], [{ type: 'E', value: '42' }]],
    ['keeps the module', [{ type: 'E', module: 'net' }], [{ type: 'E', module: 'net' }]],
    ['drops an empty list', { values: [] }, undefined],
  ];
  for (const [name, input, expected] of shapes) {
    it(name, () => {
      const event = normalize({ exception: input });
      assert.deepEqual(event.exception, expected === undefined ? undefined : { values: expected });
      assert.equal(event.errors, undefined);
    });
  }

  it('normalizes mechanisms: typed known fields, other fields kept', () => {
    const mechanism = {
      type: 'chained',
      handled: 'false',
      source: 'cause',
      exception_id: 1,
      parent_id: '0',
      data: { handler: 'onPayClick' },
      help_link: 'https://x',
    };
    const event = normalize({ exception: [{ type: 'E', mechanism }] });
    assert.deepEqual(event.exception?.values[0].mechanism, {
      type: 'chained',
      handled: false,
      source: 'cause',
      exception_id: 1,
      parent_id: 0,
      data: { handler: 'onPayClick' },
      help_link: 'https://x',
    });
  });

  const invalidCases: [string, unknown, string][] = [
    ['an exception with nothing in it', [{ module: 'x' }], 'exception.values.0'],
    ['a non-object exception', ['Error: boom'], 'exception.values.0'],
    [
      'a non-boolean handled',
      [{ type: 'E', mechanism: { handled: 'maybe' } }],
      'exception.values.0.mechanism.handled',
    ],
    ['a string mechanism', [{ type: 'E', mechanism: 'generic' }], 'exception.values.0.mechanism'],
    ['a string for exception', 'Error', 'exception'],
  ];
  for (const [name, input, path] of invalidCases) {
    it(`drops ${name} and records it`, () => {
      assert.deepEqual(errorTypesAt(normalize({ exception: input }), path), ['invalid_data']);
    });
  }

  it('cuts values to 8192 characters and records it under the value path', () => {
    const event = normalize({
      exception: [
        { type: 'A', value: 'a' },
        { type: 'B', value: 'v'.repeat(10000) },
      ],
    });
    assert.equal(event.exception?.values[1].value?.length, 8192);
    assert.deepEqual(event._meta, {
      exception: { values: { 1: { value: { '': { rem: [['!limit', 's', 8189, 8192]], len: 10000 } } } } },
    });
  });

  describe('stack frames', () => {
    // prettier-ignore
    const frames: [string, Record<string, unknown>, StackFrame | undefined][] = [
      [
        'keeps typed fields',
        { filename: 'a.js', abs_path: '/app/a.js', module: 'a', function: 'f', lineno: 3, colno: 7, in_app: true, context_line: 'x()', pre_context: ['a'], post_context: ['b'], vars: { n: 1 } },
        { filename: 'a.js', abs_path: '/app/a.js', module: 'a', function: 'f', lineno: 3, colno: 7, in_app: true, context_line: 'x()', pre_context: ['a'], post_context: ['b'], vars: { n: 1 } },
      ],
      ['converts numeric strings and boolean strings', { filename: 'a.js', lineno: '12', colno: '4', in_app: 'false' }, { filename: 'a.js', lineno: 12, colno: 4, in_app: false }],
      ['turns null context lines into empty ones', { function: 'f', pre_context: ['a', null] }, { function: 'f', pre_context: ['a', ''] }],
      ['keeps a module-only frame', { module: 'timers' }, { module: 'timers' }],
    ];
    for (const [name, input, expected] of frames) {
      it(name, () => {
        const event = normalize({ exception: [{ type: 'E', stacktrace: { frames: [input] } }] });
        assert.deepEqual(event.exception?.values[0].stacktrace?.frames[0], expected);
        assert.equal(event.errors, undefined);
      });
    }

    const badFrames: [string, Record<string, unknown>, string][] = [
      ['a frame with no location', { lineno: 3, colno: 1 }, 'exception.values.0.stacktrace.frames.0'],
      [
        'a non-numeric lineno',
        { function: 'f', lineno: 'ten' },
        'exception.values.0.stacktrace.frames.0.lineno',
      ],
      [
        'a non-boolean in_app',
        { function: 'f', in_app: 'yes' },
        'exception.values.0.stacktrace.frames.0.in_app',
      ],
    ];
    for (const [name, input, path] of badFrames) {
      it(`drops ${name} and records it`, () => {
        const event = normalize({ exception: [{ type: 'E', stacktrace: { frames: [input, frame('ok')] } }] });
        assert.deepEqual(errorTypesAt(event, path), ['invalid_data']);
        assert.equal(event.exception?.values[0].stacktrace?.frames.at(-1)?.function, 'ok');
      });
    }

    it('keeps 25 + 25 frames of a long stack and records frames_dropped', () => {
      const input = Array.from({ length: 120 }, (_, i) => frame(`f${i}`, i));
      const event = normalize({ exception: [{ type: 'E', stacktrace: { frames: input } }] });
      const kept = event.exception?.values[0].stacktrace?.frames ?? [];
      assert.equal(kept.length, 50);
      assert.equal(kept[0].function, 'f0');
      assert.equal(kept[24].function, 'f24');
      assert.equal(kept[25].function, 'f95');
      assert.equal(kept[49].function, 'f119');
      assert.deepEqual(event._meta, {
        exception: { values: { 0: { stacktrace: { frames: { '': { len: 120 } } } } } },
      });
    });

    it('keeps exactly 50 frames untouched', () => {
      const input = Array.from({ length: 50 }, (_, i) => frame(`f${i}`));
      const event = normalize({ exception: [{ type: 'E', stacktrace: { frames: input } }] });
      assert.equal(event.exception?.values[0].stacktrace?.frames.length, 50);
      assert.equal(event._meta, undefined);
    });

    it('normalizes a legacy top-level stacktrace the same way', () => {
      const event = normalize({ stacktrace: { frames: [{ filename: 'a.py', lineno: '3' }] } });
      assert.deepEqual(event.stacktrace, { frames: [{ filename: 'a.py', lineno: 3 }] });
    });
  });
});
