import assert from 'node:assert/strict';
import type { Frame } from '../api/issues';
import { groupFrames } from './frames';

/** A frame as the API serializes it, in the SDK's order (outermost call first). */
const frame = (fn: string, inApp: boolean): Frame => ({
  filename: inApp ? 'app.js' : 'node:internal/timers',
  absPath: null,
  module: null,
  function: fn,
  lineNo: 1,
  colNo: null,
  inApp,
  context: [],
  vars: null,
});

describe('stack frame grouping', () => {
  it('puts the most recent call first and folds each run of system frames into one group', () => {
    const frames = [
      frame('processTimers', false),
      frame('listOnTimeout', false),
      frame('main', true),
      frame('Array.map', false),
      frame('settleInvoice', true),
    ];
    const groups = groupFrames(frames);
    assert.deepEqual(
      groups.map((group) => (group.inApp ? group.frame.function : group.frames.map((f) => f.function))),
      ['settleInvoice', ['Array.map'], 'main', ['listOnTimeout', 'processTimers']],
    );
  });

  it('gives an empty trace no groups', () => {
    assert.deepEqual(groupFrames([]), []);
  });
});
