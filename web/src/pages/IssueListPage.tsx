import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useIssueChanges } from '../api/changes';
import type { StatsPeriod } from '../api/issues';
import { ErrorMessage } from '../components/ErrorMessage';
import { useOrganizationAccess } from '../settings/access';
import { BulkActions } from './issue-list/BulkActions';
import { EnvironmentSelect } from './issue-list/EnvironmentSelect';
import { IssueRow } from './issue-list/IssueRow';
import { DEFAULT_PERIOD, issuesQuery, projectsQuery } from './issue-list/list-queries';
import { QueryBar } from './issue-list/QueryBar';
import { SORTS, STATUS_TABS, readParams, withParams } from './issue-list-params';
import '../issues.css';

/**
 * A project's issues: project picker, query bar, status tabs, environment and order, one page of
 * rows with their sparklines, bulk changes for those who may make them, cursor paging; live.
 */
export function IssueListPage() {
  const organization = useParams().organization!;
  const [search, setSearch] = useSearchParams();
  const params = readParams(search);
  const { can } = useOrganizationAccess(organization);
  const canTriage = can('event:write');
  const [period, setPeriod] = useState<StatsPeriod>(DEFAULT_PERIOD);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  const projectList = useQuery(projectsQuery(organization));
  const project = params.project ?? projectList.data?.[0]?.slug;

  const list = useQuery({
    ...issuesQuery(organization, project ?? '', params, period),
    enabled: project !== undefined,
    // The rows stay while the next page or search loads, instead of flashing empty.
    placeholderData: keepPreviousData,
  });
  // A selection belongs to the rows it was made on: another page or search starts without one.
  const listKey = search.toString();
  useEffect(() => setSelected(new Set()), [listKey]);

  // Live: any change to an issue of this project (new issue, counts, status) refetches the page
  // shown, at most once per LIVE_REFRESH_MS, so a burst of events costs one request.
  const queryClient = useQueryClient();
  const refresh = useThrottled(() => void queryClient.invalidateQueries({ queryKey: ['issues'] }));
  useIssueChanges(organization, projectList.data?.find((p) => p.slug === project)?.id, refresh, refresh);

  if (projectList.error) return <ErrorMessage error={projectList.error} />;
  if (projectList.data && projectList.data.length === 0)
    return <p>This organization has no project you can see yet.</p>;

  const rows = list.data?.items ?? [];
  const select = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const allSelected = rows.length > 0 && rows.every((row) => selected.has(row.id));

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

      <QueryBar
        query={params.query}
        error={list.error}
        onSearch={(query) => setSearch(withParams(params, { query }))}
      />

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

      <div className="list-options">
        <EnvironmentSelect
          organization={organization}
          project={project}
          value={params.environment}
          onChange={(environment) => setSearch(withParams(params, { environment }))}
        />
        <label className="inline">
          Sort by
          <select
            value={params.sort}
            onChange={(event) =>
              setSearch(withParams(params, { sort: event.target.value as (typeof SORTS)[number]['sort'] }))
            }
          >
            {SORTS.map((s) => (
              <option key={s.sort} value={s.sort}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Graph
          <select value={period} onChange={(event) => setPeriod(event.target.value as StatsPeriod)}>
            <option value="24h">24 hours</option>
            <option value="14d">14 days</option>
          </select>
        </label>
      </div>

      {canTriage && project && rows.length > 0 && (
        <BulkActions
          organization={organization}
          project={project}
          selected={[...selected]}
          onDone={() => {
            setSelected(new Set());
            void queryClient.invalidateQueries({ queryKey: ['issues'] });
          }}
        />
      )}

      {list.data && rows.length === 0 && <p className="empty">No issues match.</p>}
      {rows.length > 0 && (
        <table className="issue-table" aria-busy={list.isFetching}>
          <thead>
            <tr>
              {canTriage && (
                <th scope="col" className="select">
                  <input
                    type="checkbox"
                    aria-label="Select all issues on this page"
                    checked={allSelected}
                    onChange={(event) =>
                      setSelected(new Set(event.target.checked ? rows.map((row) => row.id) : []))
                    }
                  />
                </th>
              )}
              <th scope="col">Issue</th>
              <th scope="col">{period === '24h' ? 'Last 24 hours' : 'Last 14 days'}</th>
              <th scope="col" className="num">
                Events
              </th>
              <th scope="col" className="num">
                Users
              </th>
              <th scope="col">Last seen</th>
              <th scope="col">Assignee</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((issue) => (
              <IssueRow
                key={issue.id}
                issue={issue}
                organization={organization}
                period={period}
                selected={canTriage ? selected.has(issue.id) : undefined}
                onSelect={(on) => select(issue.id, on)}
              />
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
