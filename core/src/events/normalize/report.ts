import type { ProcessingError, TrimRecord } from '../types';
import { preview } from './values';

/**
 * Collects what normalization changed: `errors` for data that was dropped or replaced, `meta` for data
 * that was shortened. Every normalizer takes one and appends to it instead of throwing.
 */
export interface Report {
  readonly errors: ProcessingError[];
  readonly meta: Record<string, TrimRecord>;
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

export function recordTrim(report: Report, path: string, record: TrimRecord): void {
  report.meta[path] = record;
}
