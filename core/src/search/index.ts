export type { IssueSearchIndex, IssueSearchRequest, IssueSort } from './port';
export type { IssueCondition, AssigneeRef } from './query/ast';
export { parseIssueSearch, SEARCH_KEYS, type SearchContext } from './query/parse';
export { PostgresIssueSearch } from './postgres/postgres-index';
