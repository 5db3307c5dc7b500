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
