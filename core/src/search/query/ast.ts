import type { IssueStatus } from '../../issues/types';

/**
 * The typed form a search string is parsed into. Every search adapter (Postgres today, Typesense
 * later) translates this, never the string, so the language is parsed in one place. The parser
 * knows the whole language; an adapter refuses (`UnsupportedSearchError`) what its data can't
 * answer, so a key Faultline doesn't keep yet is a 400 naming it, not silently nothing.
 */

/** Who an `assigned:` search names. */
export type AssigneeRef =
  | { userId: number }
  /** A user by email, case-insensitive. */
  | { email: string }
  /** `#team`: assigned to that team (by slug). */
  | { teamSlug: string }
  /** `my_teams`: assigned to a team the user is a member of. */
  | { teamsOf: number }
  /** `none`: assigned to nobody. */
  | { nobody: true };

/**
 * A string to match: exactly (case as stored), or with `*` wildcards, kept as the literal parts
 * between the stars so no adapter has to unescape anything.
 */
export type ValuePattern = { exact: string } | { wildcard: string[] };

export interface ShortIdRef {
  projectSlug: string;
  shortId: number;
}

export type Comparison = '>' | '>=' | '<' | '<=' | '=';

/** Issue fields a `key:value` search matches as text. */
export type TextField =
  | 'title'
  | 'culprit'
  | 'message'
  | 'platform'
  | 'error.type'
  | 'error.value'
  | 'firstRelease'
  | 'sdk.name'
  | 'device.family'
  | 'url';

/** The leaves of a search: each says one thing about an issue. */
export type IssueCondition =
  | { kind: 'status'; values: IssueStatus[] }
  /** `is:new`, `is:ongoing`, `is:regressed`. */
  | { kind: 'substatus'; values: string[] }
  | { kind: 'level'; values: string[] }
  /** `is:assigned` (negate for `is:unassigned`). */
  | { kind: 'assigned' }
  /** `is:linked` to an issue of another system (negate for `is:unlinked`). */
  | { kind: 'linked' }
  /** `is:for_review`: Sentry's inbox. */
  | { kind: 'forReview' }
  /** `assigned:` (or `assigned_or_suggested:`, which is the same while Faultline suggests no owners). */
  | { kind: 'assignee'; assignees: AssigneeRef[] }
  /** `bookmarks:me`. */
  | { kind: 'bookmarkedBy'; userId: number }
  /** A tag the issue has seen at least once; built-in tag-shaped keys (`browser.name`, `user.id`) too. */
  | { kind: 'tag'; key: string; values: ValuePattern[] }
  /** `release:latest`: the release most recently seen first in the searched projects. */
  | { kind: 'latestRelease' }
  /** `has:key`: the issue has any value for the key. */
  | { kind: 'has'; key: string }
  | { kind: 'text'; field: TextField; values: ValuePattern[] }
  /** `error.handled:` / `error.unhandled:`, as "was the issue's error unhandled". */
  | { kind: 'unhandled'; value: boolean }
  | { kind: 'count'; field: 'timesSeen' | 'userCount'; op: Comparison; value: number }
  /** `age:`/`firstSeen:` (firstSeen) and `lastSeen:`; relative times are resolved against `now`. */
  | { kind: 'time'; field: 'firstSeen' | 'lastSeen'; op: Comparison; at: Date }
  /** `issue:APP-12`: issues by short id (project slug, case-insensitive, and number). */
  | { kind: 'shortId'; ids: ShortIdRef[] }
  /**
   * Free text: one typed word or quoted phrase, split into words that must appear in this order
   * (the last one as a prefix) in title, culprit or message; a word that is a short id (`APP-3`)
   * also matches that issue.
   */
  | { kind: 'words'; words: string[]; shortId?: ShortIdRef };

/** A whole search: conditions combined with AND, OR and NOT (`!key:value`). */
export type SearchExpression =
  | IssueCondition
  | { kind: 'and'; operands: SearchExpression[] }
  | { kind: 'or'; operands: SearchExpression[] }
  | { kind: 'not'; operand: SearchExpression };

/** The expression that matches every issue (an empty search). */
export const MATCH_ALL: SearchExpression = { kind: 'and', operands: [] };
