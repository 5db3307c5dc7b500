import type { ExceptionValue, NormalizedEvent, StackFrame } from '../events/types';

/** Test support: small builders for normalized events. */

export function makeEvent(overrides: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return {
    event_id: '6c769eae20194b14b6676be7dac1c2d9',
    timestamp: 1795546952.887,
    received: 1795546953,
    platform: 'node',
    level: 'error',
    environment: 'production',
    tags: [],
    ...overrides,
  };
}

/** A Node frame the way @sentry/node sends it (module = file name without extension). */
export function nodeFrame(
  path: string,
  func: string,
  contextLine: string,
  overrides: Partial<StackFrame> = {},
): StackFrame {
  const file = path.split('/').pop() ?? path;
  return {
    filename: path,
    abs_path: path,
    module: file.replace(/\.[cm]?js$/, ''),
    function: func,
    lineno: 12,
    colno: 11,
    in_app: !path.includes('/node_modules/') && !path.startsWith('node:'),
    context_line: contextLine,
    ...overrides,
  };
}

/** `node:internal/timers`-style frames every Node stack starts with. */
export const NODE_INTERNAL_FRAME: StackFrame = {
  filename: 'node:internal/timers',
  module: 'timers',
  function: 'process.processImmediate',
  lineno: 483,
  colno: 21,
  in_app: false,
};

export function exceptionEvent(
  exceptions: ExceptionValue | ExceptionValue[],
  overrides: Partial<NormalizedEvent> = {},
): NormalizedEvent {
  return makeEvent({
    exception: { values: Array.isArray(exceptions) ? exceptions : [exceptions] },
    ...overrides,
  });
}

export function thrown(
  type: string | undefined,
  value: string | undefined,
  frames?: StackFrame[],
): ExceptionValue {
  return {
    type,
    value,
    stacktrace: frames ? { frames } : undefined,
    mechanism: { type: 'generic', handled: true },
  };
}
