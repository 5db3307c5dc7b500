import type { MetaEntry, MetaTree, ProcessingError } from '../types';
import { preview } from './values';

/**
 * Collects what normalization changed: `errors` for data that was dropped or replaced, `meta` for data
 * that was shortened. Every normalizer takes one and appends to it instead of throwing.
 */
export interface Report {
  readonly errors: ProcessingError[];
  readonly meta: MetaTree;
}

/** Sentry's event error types (the ones Faultline produces). */
export type ProcessingErrorType = 'invalid_data' | 'missing_attribute' | 'clock_drift' | 'future_timestamp';

export function createReport(): Report {
  return { errors: [], meta: {} };
}

export function addError(report: Report, type: ProcessingErrorType, name: string, value?: unknown): void {
  const error: ProcessingError = { type, name };
  if (value !== undefined) error.value = preview(value);
  report.errors.push(error);
}

/** Shorthand for the most common case: the value at `path` had the wrong shape and was dropped. */
export function invalid(report: Report, path: string, value: unknown): void {
  addError(report, 'invalid_data', path, value);
}

/** A place in the event: object keys and list indexes, outermost first. */
export type MetaPath = readonly (string | number)[];

/** Records what was done to the value at `path` in `_meta`, Sentry's way (see `MetaTree`). */
export function recordMeta(report: Report, path: MetaPath, entry: MetaEntry): void {
  let node: MetaTree = report.meta;
  for (const segment of path) {
    const key = String(segment);
    if (!Object.hasOwn(node, key)) setOwn(node, key, {});
    node = node[key] as MetaTree;
  }
  node[''] = entry;
}

/**
 * Defines a plain data property: a payload key such as "__proto__" must stay a key, not a prototype.
 * Only "__proto__" has a setter on a plain object's prototype, so every other key is assigned: on
 * the pipeline's hot path `Object.defineProperty` cost ~4 % of the thread's time.
 */
export function setOwn(target: object, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
}

/** `recordMeta` for a dotted path of fixed field names and indexes (never payload keys). */
export function recordTrim(report: Report, path: string, entry: MetaEntry): void {
  recordMeta(report, path.split('.'), entry);
}
