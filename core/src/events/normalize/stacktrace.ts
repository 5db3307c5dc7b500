import type { StackFrame, Stacktrace } from '../types';
import { trimObjectBag } from './databag';
import type { Report } from './report';
import { invalid } from './report';
import { keepEnds, LIMITS } from './trim';
import { finiteNumber, isAbsent, isRecord, lenientBoolean, lenientString } from './values';

const STRING_FIELDS = ['filename', 'abs_path', 'module', 'function', 'context_line', 'platform'] as const;
const NUMBER_FIELDS = ['lineno', 'colno'] as const;
const CONTEXT_FIELDS = ['pre_context', 'post_context'] as const;

/** Source lines around the frame; `null` lines (which some SDKs send for unreadable lines) become ''. */
function contextLines(value: unknown, path: string, report: Report): string[] | undefined {
  if (!Array.isArray(value)) {
    invalid(report, path, value);
    return undefined;
  }
  return value.map((line: unknown) => lenientString(line) ?? '');
}

/** One frame with typed fields, or `undefined` when nothing locates it (no file, module or function). */
export function normalizeFrame(value: unknown, path: string, report: Report): StackFrame | undefined {
  if (!isRecord(value)) {
    invalid(report, path, value);
    return undefined;
  }
  const frame: StackFrame = {};
  for (const key of STRING_FIELDS) {
    if (isAbsent(value[key])) continue;
    const text = lenientString(value[key]);
    if (text === undefined) invalid(report, `${path}.${key}`, value[key]);
    else frame[key] = text;
  }
  for (const key of NUMBER_FIELDS) {
    if (isAbsent(value[key])) continue;
    const number = finiteNumber(value[key]);
    if (number === undefined || number < 0) invalid(report, `${path}.${key}`, value[key]);
    else frame[key] = Math.trunc(number);
  }
  if (!isAbsent(value.in_app)) {
    const inApp = lenientBoolean(value.in_app);
    if (inApp === undefined) invalid(report, `${path}.in_app`, value.in_app);
    else frame.in_app = inApp;
  }
  for (const key of CONTEXT_FIELDS) {
    if (isAbsent(value[key])) continue;
    const lines = contextLines(value[key], `${path}.${key}`, report);
    if (lines) frame[key] = lines;
  }
  if (isRecord(value.vars)) {
    frame.vars = trimObjectBag(value.vars, LIMITS.bags.frameVars, [...path.split('.'), 'vars'], report);
  } else if (!isAbsent(value.vars)) invalid(report, `${path}.vars`, value.vars);

  if (!frame.filename && !frame.abs_path && !frame.module && !frame.function) {
    invalid(report, path, value);
    return undefined;
  }
  return frame;
}

/**
 * `{frames}` with typed frames, caller first and crashing frame last, as sent. Over 50 frames, the
 * middle ones go (the outermost callers and the crash site are what grouping and triage use).
 */
export function normalizeStacktrace(value: unknown, path: string, report: Report): Stacktrace | undefined {
  if (isAbsent(value)) return undefined;
  if (!isRecord(value) || !Array.isArray(value.frames)) {
    invalid(report, path, value);
    return undefined;
  }
  const frames: StackFrame[] = [];
  value.frames.forEach((raw: unknown, index) => {
    const frame = normalizeFrame(raw, `${path}.frames.${index}`, report);
    if (frame) frames.push(frame);
  });
  if (frames.length === 0) return undefined;
  return { frames: keepEnds(frames, LIMITS.frames, `${path}.frames`, report) };
}
