import type { ExceptionValue, NormalizedEvent, StackFrame } from '../events/types';

/**
 * Where an event's stack traces live besides `exception`. `NormalizedEvent` does not declare a
 * top-level `stacktrace` and types `threads` as `unknown`, so both are read defensively.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function framesOf(stacktrace: unknown): StackFrame[] | undefined {
  if (!isRecord(stacktrace) || !Array.isArray(stacktrace.frames)) return undefined;
  const frames: StackFrame[] = stacktrace.frames.filter(isRecord);
  return frames.length > 0 ? frames : undefined;
}

/** A top-level `stacktrace` (sent by some SDKs with `attachStacktrace` on message events). */
export function topLevelFrames(event: NormalizedEvent): StackFrame[] | undefined {
  return framesOf((event as NormalizedEvent & { stacktrace?: unknown }).stacktrace);
}

/** The stack of the only thread; with several threads no single stack describes the event. */
export function singleThreadFrames(event: NormalizedEvent): StackFrame[] | undefined {
  const threads = isRecord(event.threads) ? event.threads.values : event.threads;
  if (!Array.isArray(threads) || threads.length !== 1 || !isRecord(threads[0])) return undefined;
  return framesOf(threads[0].stacktrace);
}

export function isSynthetic(exception: ExceptionValue): boolean {
  return exception.mechanism?.synthetic === true;
}

/** The frames the event crashed in: the newest exception that has frames, else any other stack. */
export function crashStackFrames(event: NormalizedEvent): StackFrame[] | undefined {
  const exceptions = event.exception?.values ?? [];
  for (let index = exceptions.length - 1; index >= 0; index -= 1) {
    const frames = exceptions[index].stacktrace?.frames;
    if (frames && frames.length > 0) return frames;
  }
  return topLevelFrames(event) ?? singleThreadFrames(event);
}

/** The crashing frame: the innermost in-app frame, else the innermost frame. */
export function crashFrame(event: NormalizedEvent): StackFrame | undefined {
  const frames = crashStackFrames(event);
  if (!frames) return undefined;
  return frames.findLast((frame) => frame.in_app === true) ?? frames[frames.length - 1];
}
