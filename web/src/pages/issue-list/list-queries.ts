import type { QueryClient } from '@tanstack/react-query';
import { projects } from '../../api/faultline';
import { issues, type StatsPeriod } from '../../api/issues';
import { apiQuery, readParams, type IssueListParams } from '../issue-list-params';

/** The sparklines' span the list opens with. */
export const DEFAULT_PERIOD: StatsPeriod = '24h';

/** The projects of an organization the caller may see, as the list's project picker reads them. */
export const projectsQuery = (organization: string) => ({
  queryKey: ['projects', organization],
  queryFn: () => projects(organization),
});

/** One page of a project's issues as the list shows it; the key names everything that changes it. */
export const issuesQuery = (
  organization: string,
  project: string,
  params: IssueListParams,
  period: StatsPeriod,
) => ({
  queryKey: [
    'issues',
    organization,
    project,
    apiQuery(params),
    params.environment,
    params.sort,
    period,
    params.cursor,
  ],
  queryFn: () =>
    issues({
      organization,
      project,
      query: apiQuery(params),
      environment: params.environment || undefined,
      sort: params.sort,
      statsPeriod: period,
      cursor: params.cursor,
    }),
});

/**
 * Starts the list's requests as soon as its URL is known, before the signed-in frame has asked who
 * the caller is: projects, then the first page, instead of one round trip after the other. The
 * page's own queries find them in the cache (or in flight). Errors are left to the page to show.
 */
export function prefetchIssueList(client: QueryClient, organization: string, search: URLSearchParams): void {
  const params = readParams(search);
  void client
    .fetchQuery(projectsQuery(organization))
    .then((list) => {
      const project = params.project ?? list[0]?.slug;
      if (project) return client.prefetchQuery(issuesQuery(organization, project, params, DEFAULT_PERIOD));
    })
    .catch(() => undefined);
}
