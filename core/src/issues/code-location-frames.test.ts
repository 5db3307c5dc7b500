import assert from 'node:assert/strict';
import { codeLocationOfEvent } from './code-location-frames';

describe('code location of an event', () => {
  it('keeps the in-app frames of the thrown exception, innermost first, and the chain thrown first', () => {
    const location = codeLocationOfEvent({
      values: [
        {
          type: 'Error',
          value: 'cause',
          stacktrace: { frames: [{ filename: 'a.js', lineno: 1, in_app: true }] },
        },
        {
          type: 'TypeError',
          value: 'boom',
          stacktrace: {
            frames: [
              { filename: 'node:internal/x', lineno: 5, in_app: false },
              {
                filename: 'src/outer.js',
                abs_path: '/app/src/outer.js',
                function: 'outer',
                lineno: 3,
                colno: 2,
                in_app: true,
              },
              {
                module: 'inner',
                abs_path: '/app/src/inner.js',
                function: 'inner',
                lineno: 9,
                in_app: true,
                context_line: '  throw e;',
              },
            ],
          },
        },
      ],
    });
    assert.deepEqual(location.exceptions, [
      { type: 'TypeError', value: 'boom' },
      { type: 'Error', value: 'cause' },
    ]);
    assert.deepEqual(location.frames, [
      {
        filename: null,
        absPath: '/app/src/inner.js',
        module: 'inner',
        function: 'inner',
        lineNo: 9,
        colNo: null,
        contextLine: '  throw e;',
      },
      {
        filename: 'src/outer.js',
        absPath: '/app/src/outer.js',
        module: null,
        function: 'outer',
        lineNo: 3,
        colNo: 2,
        contextLine: null,
      },
    ]);
  });

  it('skips malformed or missing frames instead of failing', () => {
    const cases: unknown[] = [
      undefined,
      null,
      'text',
      { values: 'no' },
      { values: [null, { type: 'E' }] },
      {
        values: [{ stacktrace: { frames: [null, 3, { in_app: true }, { filename: 'x.js', in_app: true }] } }],
      },
      { values: [{ stacktrace: { frames: [{ filename: 'x.js', lineno: -1, in_app: true }] } }] },
      { values: [{ stacktrace: { frames: [{ filename: 'x.js', lineno: 1.5, in_app: true }] } }] },
    ];
    for (const exception of cases) assert.deepEqual(codeLocationOfEvent(exception).frames, []);
  });
});
