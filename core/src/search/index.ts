export type { IssueSearchIndex, IssueSearchRequest, IssueSort } from './port';
export type { IssueCondition, SearchExpression, AssigneeRef, ValuePattern } from './query/ast';
export { parseIssueSearch, type SearchContext } from './query/parse';
export { SEARCH_KEYS } from './query/keys';
export { SearchSyntaxError, UnsupportedSearchError } from './query/errors';
export { PostgresIssueSearch } from './postgres/postgres-index';
