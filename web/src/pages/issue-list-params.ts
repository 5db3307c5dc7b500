import type { IssueSort } from '../api/issues';

/**
 * The issue list's state lives in its URL (shareable, and Back works): project, status tab, the
 * query typed into the bar, environment, order and the page's cursor.
 */
export const STATUS_TABS = [
  { status: 'unresolved', label: 'Unresolved' },
  { status: 'new', label: 'For review' },
  { status: 'regressed', label: 'Regressed' },
  { status: 'archived', label: 'Archived' },
  { status: 'resolved', label: 'Resolved' },
] as const;

export type StatusTab = (typeof STATUS_TABS)[number]['status'];

/** The list's orders, in the API's words (`sort=`), with what people call them. */
export const SORTS: { sort: IssueSort; label: string }[] = [
  { sort: 'date', label: 'Last seen' },
  { sort: 'new', label: 'First seen' },
  { sort: 'freq', label: 'Events' },
  { sort: 'user', label: 'Users' },
];

export interface IssueListParams {
  project: string | undefined;
  status: StatusTab;
  query: string;
  environment: string;
  sort: IssueSort;
  cursor: string | undefined;
}

export function readParams(search: URLSearchParams): IssueListParams {
  const status = search.get('status');
  const sort = search.get('sort');
  return {
    project: search.get('project') ?? undefined,
    status: STATUS_TABS.some((tab) => tab.status === status) ? (status as StatusTab) : 'unresolved',
    query: search.get('query') ?? '',
    environment: search.get('environment') ?? '',
    sort: SORTS.find((s) => s.sort === sort)?.sort ?? 'date',
    cursor: search.get('cursor') ?? undefined,
  };
}

/** The URL search of the list with some of its state changed; a new search starts at page one. */
export function withParams(current: IssueListParams, change: Partial<IssueListParams>): URLSearchParams {
  const next = { ...current, cursor: undefined, ...change };
  const search = new URLSearchParams();
  if (next.project) search.set('project', next.project);
  if (next.status !== 'unresolved') search.set('status', next.status);
  if (next.query) search.set('query', next.query);
  if (next.environment) search.set('environment', next.environment);
  if (next.sort !== 'date') search.set('sort', next.sort);
  if (next.cursor) search.set('cursor', next.cursor);
  return search;
}

/** What the API is asked: the tab's `is:` condition, then what the person typed. */
export function apiQuery(params: IssueListParams): string {
  return `is:${params.status} ${params.query}`.trim();
}
