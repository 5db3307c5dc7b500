import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router';
import { auditLog, type AuditEntry, type AuditEvent } from '../../api/organization';
import { FilterSelect } from '../../components/FilterSelect';
import { Pager } from '../../components/Pager';
import { QueryError } from '../../components/QueryError';
import { RelativeTime } from '../../components/RelativeTime';
import { useOrganizationAccess } from '../../settings/access';

/** Who acted: a person, else the service token, else Faultline itself (plugins, the pipeline). */
function actorText(entry: AuditEntry): string {
  if (entry.actor) return entry.actor.email ?? entry.actor.name ?? `user ${entry.actor.id}`;
  if (entry.actorTokenId) return `token ${entry.actorTokenId}`;
  return 'Faultline';
}

/**
 * The organization's audit log (`org:write`), newest first, a page of 25 at a time. The kind of
 * event and the page are in the URL (`?event=&cursor=`), so a filtered view can be linked to.
 */
export function OrganizationAuditLogPage() {
  const { organization = '' } = useParams();
  const access = useOrganizationAccess(organization);
  const [search, setSearch] = useSearchParams();
  const event = (search.get('event') || undefined) as AuditEvent | undefined;
  const cursor = search.get('cursor') ?? undefined;
  const page = useQuery({
    queryKey: ['audit-log', organization, event, cursor],
    queryFn: () => auditLog(organization, { event, cursor }),
    enabled: access.can('org:write'),
    placeholderData: keepPreviousData,
  });
  const go = (change: { event?: string; cursor?: string }) => {
    const next = new URLSearchParams();
    const kind = 'event' in change ? change.event : event;
    if (kind) next.set('event', kind);
    if (change.cursor) next.set('cursor', change.cursor);
    setSearch(next);
  };

  if (!access.can('org:write'))
    return <p>Only owners and managers of this organization read its audit log.</p>;
  if (page.error) return <QueryError error={page.error} />;
  if (!page.data) return <p className="muted">Loading…</p>;
  const { rows, options } = page.data.data;
  return (
    <>
      <h2>Audit log</h2>
      <FilterSelect
        label="Event"
        all="All events"
        value={event ?? ''}
        names={options}
        onChange={(kind) => go({ event: kind })}
      />
      {rows.length === 0 && <p className="muted">Nothing recorded{event ? ` of ${event}` : ''}.</p>}
      <table className="settings-table" aria-label="Audit log">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Event</th>
            <th>Through</th>
            <th>Target</th>
            <th>Address</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((entry) => (
            <tr key={entry.id}>
              <td>
                <RelativeTime iso={entry.dateCreated} />
              </td>
              <td>{actorText(entry)}</td>
              <td>
                <code>{entry.event}</code>
              </td>
              <td>{entry.surface ?? '—'}</td>
              <td>{entry.targetType ? `${entry.targetType} ${entry.targetObject ?? ''}` : '—'}</td>
              <td>{entry.ipAddress ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager
        label="Pages of the audit log"
        items="entries"
        cursor={cursor}
        previous={page.data.previous}
        next={page.data.next}
        go={(to) => go({ cursor: to })}
      />
    </>
  );
}
