/**
 * Plain facts about issues that pure code (the search query parser) needs without the database
 * side of this domain; importing this file brings no Knex along.
 */

/** An issue's status, as stored in `issues.status` and named in the API. */
export const ISSUE_STATUSES = ['unresolved', 'resolved', 'ignored'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

/**
 * `APP-3` → project slug `APP` and number 3; the slug itself may contain dashes. (Here, not in
 * links.ts beside `formatShortId`, because the search parser reads short ids and stays pure.)
 */
export function parseShortId(text: string): { projectSlug: string; shortId: number } | undefined {
  const match = /^(.+)-(\d{1,9})$/.exec(text);
  return match ? { projectSlug: match[1], shortId: Number(match[2]) } : undefined;
}

/**
 * An assignee as Sentry's API names one and the `assigned` change records it: `user:ID`, `team:ID`,
 * or a bare user id. Undefined for anything else (an email, say, which only a lookup resolves).
 */
export function parseAssigneeRef(text: string): { userId: number } | { teamId: number } | undefined {
  const match = /^(?:(user|team):)?(\d{1,9})$/.exec(text);
  if (!match) return undefined;
  return match[1] === 'team' ? { teamId: Number(match[2]) } : { userId: Number(match[2]) };
}
