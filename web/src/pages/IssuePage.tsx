import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useIssueChanges } from '../api/changes';
import { ApiError } from '../api/http';
import { issue as fetchIssue, issueEvent, issueTags } from '../api/issues';
import { ErrorMessage } from '../components/ErrorMessage';
import { EventView } from '../components/EventView';
import { RelativeTime } from '../components/RelativeTime';
import { useOrganizationAccess } from '../settings/access';
import { Activity } from './issue/Activity';
import { Comments } from './issue/Comments';
import { EventsList } from './issue/EventsList';
import { PluginActions } from './issue/PluginActions';
import { ExternalIssues } from './issue/ExternalIssues';
import { StatusActions } from './issue/StatusActions';
import { TagDistribution } from './issue/TagDistribution';
import { NotFoundPage } from './NotFoundPage';
import '../issues.css';

/**
 * One issue: what it is, its state and the actions on it, its tags, one of its events (the latest,
 * or the one in the URL, stepping to older and newer), its events and its comments; live.
 */
export function IssuePage() {
  const { organization, issueId, eventId } = useParams() as {
    organization: string;
    issueId: string;
    eventId?: string;
  };
  const queryClient = useQueryClient();
  const { can } = useOrganizationAccess(organization);
  const details = useQuery({
    queryKey: ['issue', issueId],
    queryFn: () => fetchIssue(organization, issueId),
  });
  const event = useQuery({
    queryKey: ['event', issueId, eventId ?? 'latest'],
    queryFn: () => issueEvent(issueId, eventId ?? 'latest'),
  });
  const tags = useQuery({ queryKey: ['tags', issueId], queryFn: () => issueTags(issueId) });

  // Live: a change to this issue made anywhere (another tab, Slack, the API) shows without a reload.
  const reload = () => {
    for (const key of [
      'issue',
      'event',
      'tags',
      'events',
      'comments',
      'external-issues',
      'activity',
      'issue-actions',
    ])
      void queryClient.invalidateQueries({ queryKey: [key, issueId] });
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
  const eventPath = (id: string) => `/organizations/${organization}/issues/${issueId}/events/${id}/`;

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

      <StatusActions organization={organization} issue={issue} canTriage={can('event:write')} />
      {can('event:write') && <PluginActions issueId={issueId} />}

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
            {issue.lastRelease && ` in ${issue.lastRelease.version}`}
          </dd>
        </div>
      </dl>

      <ExternalIssues issueId={issueId} />

      <div className="issue-columns">
        <div className="issue-main">
          <h2>{eventId ? 'Event' : 'Latest event'}</h2>
          {event.error instanceof ApiError && event.error.status === 404 ? (
            <p className="error" role="alert">
              This issue has no event {eventId}.
            </p>
          ) : (
            <ErrorMessage error={event.error} />
          )}
          {event.data && (
            <nav className="event-nav" aria-label="Events">
              <span className="short-id">{event.data.eventID}</span>
              <RelativeTime iso={event.data.dateCreated} />
              {event.data.release && <span>release {event.data.release.version}</span>}
              {event.data.environment && <span>{event.data.environment}</span>}
              {event.data.previousEventID ? (
                <Link to={eventPath(event.data.previousEventID)}>← Older</Link>
              ) : (
                <span className="muted">← Older</span>
              )}
              {event.data.nextEventID ? (
                <Link to={eventPath(event.data.nextEventID)}>Newer →</Link>
              ) : (
                <span className="muted">Newer →</span>
              )}
            </nav>
          )}
          {event.data && <EventView event={event.data} />}

          <h2>Events</h2>
          <EventsList organization={organization} issueId={issueId} />

          <h2>Comments</h2>
          <Comments issueId={issueId} canWrite={can('event:write')} />

          <h2>Activity</h2>
          <Activity issueId={issueId} />
        </div>
        <aside className="issue-side" aria-label="Tags">
          <h2>Tags</h2>
          <ErrorMessage error={tags.error} />
          {tags.data && <TagDistribution tags={tags.data} />}
        </aside>
      </div>
    </article>
  );
}
