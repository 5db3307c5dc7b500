import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useCallback, useEffect, useRef } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useIssueChanges } from '../api/changes';
import { issues, projects, type Issue } from '../api/faultline';
import { ErrorMessage } from '../components/ErrorMessage';
import { RelativeTime } from '../components/RelativeTime';
import { STATUS_TABS, apiQuery, readParams, withParams } from './issue-list-params';

/** A project's issues: project picker, query bar, status tabs, one page of rows, cursor paging. */
export function IssueListPage() {
  const organization = useParams().organization!;
  const [search, setSearch] = useSearchParams();
  const params = readParams(search);

  const projectList = useQuery({
    queryKey: ['projects', organization],
    queryFn: () => projects(organization),
  });
  const project = params.project ?? projectList.data?.[0]?.slug;

  const list = useQuery({
    queryKey: ['issues', organization, project, apiQuery(params), params.cursor],
    queryFn: () =>
      issues({ organization, project: project!, query: apiQuery(params), cursor: params.cursor }),
    enabled: project !== undefined,
    // The rows stay while the next page or search loads, instead of flashing empty.
    placeholderData: keepPreviousData,
  });

  // Live: any change to an issue of this project (new issue, counts, status) refetches the page
  // shown, at most once per LIVE_REFRESH_MS, so a burst of events costs one request.
  const queryClient = useQueryClient();
  const refresh = useThrottled(() => void queryClient.invalidateQueries({ queryKey: ['issues'] }));
  useIssueChanges(organization, projectList.data?.find((p) => p.slug === project)?.id, refresh, refresh);

  const submitQuery = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const query = String(new FormData(event.currentTarget).get('query') ?? '').trim();
    setSearch(withParams(params, { query }));
  };

  if (projectList.error) return <ErrorMessage error={projectList.error} />;
  if (projectList.data && projectList.data.length === 0)
    return <p>This organization has no project you can see yet.</p>;

  return (
    <section className="issues">
      <div className="toolbar">
        <h1>Issues</h1>
        <label className="inline">
          Project
          <select
            value={project ?? ''}
            onChange={(event) => setSearch(withParams(params, { project: event.target.value }))}
          >
            {projectList.data?.map((p) => (
              <option key={p.id} value={p.slug}>
                {p.name || p.slug}
              </option>
            ))}
          </select>
        </label>
      </div>

      <form className="query-bar" role="search" onSubmit={submitQuery}>
        <label htmlFor="issue-query" className="visually-hidden">
          Search issues
        </label>
        <input
          id="issue-query"
          name="query"
          key={params.query}
          defaultValue={params.query}
          placeholder="level:error release:1.2.0 free text"
          spellCheck={false}
          aria-describedby={list.error ? 'query-error' : undefined}
        />
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={list.error} id="query-error" />

      <nav className="tabs" aria-label="Status">
        {STATUS_TABS.map((tab) => (
          <Link
            key={tab.status}
            to={{ search: withParams(params, { status: tab.status }).toString() }}
            aria-current={tab.status === params.status ? 'page' : undefined}
          >
            {tab.label}
          </Link>
        ))}
      </nav>

      {list.data && list.data.items.length === 0 && <p className="empty">No issues match.</p>}
      {list.data && list.data.items.length > 0 && (
        <table className="issue-table" aria-busy={list.isFetching}>
          <thead>
            <tr>
              <th scope="col">Issue</th>
              <th scope="col" className="num">
                Events
              </th>
              <th scope="col" className="num">
                Users
              </th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((issue) => (
              <IssueRow key={issue.id} issue={issue} organization={organization} />
            ))}
          </tbody>
        </table>
      )}
      {!list.data && !list.error && <p className="muted">Loading…</p>}

      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          className="secondary"
          disabled={!list.data?.previous || !params.cursor}
          onClick={() => setSearch(withParams(params, { cursor: list.data?.previous }))}
        >
          Previous
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!list.data?.next}
          onClick={() => setSearch(withParams(params, { cursor: list.data?.next }))}
        >
          Next
        </button>
      </nav>
    </section>
  );
}

function IssueRow({ issue, organization }: { issue: Issue; organization: string }) {
  return (
    <tr>
      <td>
        <div className="issue-title">
          <span className={`level level-${issue.level}`}>{issue.level}</span>
          <Link to={`/organizations/${organization}/issues/${issue.id}/`}>{issue.title}</Link>
        </div>
        <div className="issue-meta">
          <span className="short-id">{issue.shortId}</span>
          {issue.culprit && <span className="culprit">{issue.culprit}</span>}
        </div>
      </td>
      <td className="num" data-label="Events">
        {Number(issue.count).toLocaleString()}
      </td>
      <td className="num" data-label="Users">
        {issue.userCount.toLocaleString()}
      </td>
      <td data-label="Last seen">
        <RelativeTime iso={issue.lastSeen} />
      </td>
    </tr>
  );
}

const LIVE_REFRESH_MS = 500;

/** `action`, run at most once per LIVE_REFRESH_MS: the first call waits that long, later ones join it. */
function useThrottled(action: () => void): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(action);
  latest.current = action;
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    timer.current ??= setTimeout(() => {
      timer.current = undefined;
      latest.current();
    }, LIVE_REFRESH_MS);
  }, []);
}
