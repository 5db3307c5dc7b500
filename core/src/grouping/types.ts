import type { Level } from '../events/types';

/** Bumped whenever a rule change would move events between issues. Stored with every hash. */
export const GROUPING_VERSION = 'faultline:2026-11';

/** Which part of the event produced the primary hash. */
export type GroupingVariant = 'custom-fingerprint' | 'app' | 'system' | 'message' | 'fallback';

export interface GroupingResult {
  /** 32-char lowercase hex digests; the first is primary, the rest may also match an existing issue. */
  hashes: string[];
  variant: GroupingVariant;
  version: string;
}

/** What an issue shows, derived from its first event the way Sentry derives it. */
export interface IssueMetadata {
  /** `error` when the event has an exception (not synthetic-only), else `default`. */
  type: 'error' | 'default';
  title: string;
  culprit: string;
  level: Level;
  /** Sentry's issue `metadata`: `{type, value, filename, function}` for errors, `{title}` otherwise. */
  metadata: Record<string, string | boolean | undefined>;
}
