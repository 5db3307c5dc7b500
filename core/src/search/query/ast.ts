import type { IssueStatus } from '../../issues/types';

/**
 * The typed form a search string is parsed into. Every search adapter (Postgres today, Typesense
 * later) translates this, never the string, so the language is parsed in one place.
 */

/** Who an `assigned:` search names: a user by id, or by email (case-insensitive). */
export type AssigneeRef = { userId: number } | { email: string };

/** One condition of an issue search; a search is the AND of its conditions. */
export type IssueCondition =
  | { kind: 'status'; values: IssueStatus[]; negated: boolean }
  | { kind: 'substatus'; values: string[]; negated: boolean }
  | { kind: 'level'; values: string[]; negated: boolean }
  /** `is:assigned` (negated false) or `is:unassigned` (negated true). */
  | { kind: 'assigned'; negated: boolean }
  | { kind: 'assignee'; assignees: AssigneeRef[]; negated: boolean }
  /** A tag the issue has seen at least once (environment, release…). */
  | { kind: 'tag'; key: string; values: string[]; negated: boolean }
  /** Case-insensitive substring of title or culprit, or an exact short id such as `APP-3`. */
  | { kind: 'text'; text: string };
