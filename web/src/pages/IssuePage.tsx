import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import {
  issue as fetchIssue,
  latestEvent,
  updateIssueStatus,
  type ExceptionValue,
  type IssueAction,
  type IssueDetails,
} from '../api/faultline';
import { useIssueChanges } from '../api/changes';
import { ApiError } from '../api/http';
import { ErrorMessage } from '../components/ErrorMessage';
import { ExceptionChain } from '../components/Exception';
import { RelativeTime } from '../components/RelativeTime';
import { NotFoundPage } from './NotFoundPage';

/** The words for an issue's state, as the list's tabs name them. */
function statusLabel(issue: IssueDetails): string {
  if (issue.status === 'resolved') return 'Resolved';
  if (issue.status === 'ignored') return 'Archived';
  if (issue.isRegression) return 'Regressed';
  return 'Unresolved';
}

/** One issue: what it is, its state and the actions on it, and its latest event's exception. */
export function IssuePage() {
  const { organization, issueId } = useParams() as { organization: string; issueId: string };
  const queryClient = useQueryClient();
  const details = useQuery({
    queryKey: ['issue', issueId],
    queryFn: () => fetchIssue(organization, issueId),
  });
  const event = useQuery({ queryKey: ['latest-event', issueId], queryFn: () => latestEvent(issueId) });
  const change = useMutation({
    mutationFn: (action: IssueAction) => updateIssueStatus(organization, issueId, action),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['issue', issueId] }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['issues'] }),
  });

  // Live: a change to this issue made anywhere (another tab, Slack, the API) shows without a reload.
  const reload = () => {
    void queryClient.invalidateQueries({ queryKey: ['issue', issueId] });
    void queryClient.invalidateQueries({ queryKey: ['latest-event', issueId] });
  };
  useIssueChanges(
    organization,
    details.data?.project.id,
    (changed) => {
      if (String(changed.issueId) === issueId) reload();
    },
    reload,
  );

  // A resource the caller can't see answers 404 like a missing one; so does this page.
  if (details.error instanceof ApiError && details.error.status === 404) return <NotFoundPage />;
  if (details.error) return <ErrorMessage error={details.error} />;
  if (!details.data) return <p className="muted">Loading…</p>;
  const issue = details.data;

  const exception = event.data?.entries.find((entry) => entry.type === 'exception') as
    { data: { values: ExceptionValue[] } } | undefined;

  return (
    <article className="issue">
      <p>
        <Link to={`/organizations/${organization}/issues/?project=${issue.project.slug}`}>
          ← Issues of {issue.project.name || issue.project.slug}
        </Link>
      </p>
      <header className="issue-header">
        <div className="issue-title">
          <span className={`level level-${issue.level}`}>{issue.level}</span>
          <h1>{issue.title}</h1>
        </div>
        <div className="issue-meta">
          <span className="short-id">{issue.shortId}</span>
          {issue.culprit && <span className="culprit">{issue.culprit}</span>}
        </div>
      </header>

      <div className="issue-state">
        <span className="status" data-status={issue.status}>
          {statusLabel(issue)}
        </span>
        {issue.status === 'unresolved' ? (
          <>
            <button type="button" disabled={change.isPending} onClick={() => change.mutate('resolve')}>
              Resolve
            </button>
            <button
              type="button"
              className="secondary"
              disabled={change.isPending}
              onClick={() => change.mutate('archive')}
            >
              Archive
            </button>
          </>
        ) : (
          <button
            type="button"
            className="secondary"
            disabled={change.isPending}
            onClick={() => change.mutate('unresolve')}
          >
            Unresolve
          </button>
        )}
      </div>
      <ErrorMessage error={change.error} />

      <dl className="facts">
        <div>
          <dt>Events</dt>
          <dd>{Number(issue.count).toLocaleString()}</dd>
        </div>
        <div>
          <dt>Users</dt>
          <dd>{issue.userCount.toLocaleString()}</dd>
        </div>
        <div>
          <dt>First seen</dt>
          <dd>
            <RelativeTime iso={issue.firstSeen} />
            {issue.firstRelease && ` in ${issue.firstRelease.version}`}
          </dd>
        </div>
        <div>
          <dt>Last seen</dt>
          <dd>
            <RelativeTime iso={issue.lastSeen} />
          </dd>
        </div>
      </dl>

      <h2>Latest event</h2>
      {event.error && <ErrorMessage error={event.error} />}
      {event.data && (
        <p className="muted">
          <span className="short-id">{event.data.eventID}</span> ·{' '}
          <RelativeTime iso={event.data.dateCreated} />
        </p>
      )}
      {exception && <ExceptionChain values={exception.data.values} />}
      {event.data && !exception && <p className="muted">This event carries no exception.</p>}
    </article>
  );
}
