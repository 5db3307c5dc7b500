import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { issueEvents } from '../../api/issues';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Pager } from '../../components/Pager';
import { RelativeTime } from '../../components/RelativeTime';

/** The issue's events, newest first, a page at a time; each links to its own URL. */
export function EventsList({ organization, issueId }: { organization: string; issueId: string }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const page = useQuery({
    queryKey: ['events', issueId, cursor],
    queryFn: () => issueEvents(issueId, cursor),
    placeholderData: keepPreviousData,
  });
  if (page.error) return <ErrorMessage error={page.error} />;
  if (!page.data) return <p className="muted">Loading…</p>;
  return (
    <>
      <table className="events-table">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">When</th>
            <th scope="col">User</th>
            <th scope="col">Environment</th>
          </tr>
        </thead>
        <tbody>
          {page.data.items.map((event) => (
            <tr key={event.eventID}>
              <td>
                <Link
                  className="short-id"
                  to={`/organizations/${organization}/issues/${issueId}/events/${event.eventID}/`}
                >
                  {event.eventID.slice(0, 8)}
                </Link>{' '}
                {event.message || event.title}
              </td>
              <td>
                <RelativeTime iso={event.dateCreated} />
              </td>
              <td>{event.user?.email ?? event.user?.id ?? event.user?.ip_address ?? '—'}</td>
              <td>{event.tags.find((tag) => tag.key === 'environment')?.value ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager
        label="Pages of events"
        items="events"
        cursor={cursor}
        previous={page.data.previous}
        next={page.data.next}
        go={setCursor}
      />
    </>
  );
}
