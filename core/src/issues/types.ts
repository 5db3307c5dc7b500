/**
 * Plain facts about issues that pure code (the search query parser) needs without the database
 * side of this domain; importing this file brings no Knex along.
 */

/** An issue's status, as stored in `issues.status` and named in the API. */
export const ISSUE_STATUSES = ['unresolved', 'resolved', 'ignored'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];
