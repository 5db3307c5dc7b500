import type { SearchExpression } from './query/ast';

/** The orders an issue list can be asked for (Sentry's `sort`). */
export type IssueSort = 'date' | 'new' | 'freq' | 'user';

export interface IssueSearchRequest {
  /** The organizations the caller may see; nothing outside them is ever returned. */
  organizationIds: number[];
  /** Restrict to these projects; undefined means every project of the organizations. */
  projectIds?: number[];
  /** What to find, as `parseIssueSearch` returns it. */
  expression: SearchExpression;
  sort: IssueSort;
  limit: number;
  offset: number;
}

/**
 * Where issue searches are answered. The port returns ids only, best first by `sort` with ties
 * broken by id (so offset pages never overlap or skip): an index other than the database
 * (Typesense, later) need not know how an issue row is shaped, and the caller reads the rows
 * from the issues domain either way.
 */
export interface IssueSearchIndex {
  search(request: IssueSearchRequest): Promise<number[]>;
}
