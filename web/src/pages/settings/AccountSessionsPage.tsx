import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { endOtherSessions, endSession, sessions, type AccountSession } from '../../api/account';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RelativeTime } from '../../components/RelativeTime';
import { RowAction, SettingsTable } from '../../components/SettingsTable';

const QUERY_KEY = ['sessions'];

/** Where a session signed in from, in a line: the browser as it named itself, and the address. */
function whereFrom(session: AccountSession): string {
  return [session.userAgent ?? 'an unnamed browser', session.ip ? `from ${session.ip}` : ''].join(' ').trim();
}

/**
 * `/settings/account/sessions/`: the browsers signed in as you, most recently used first. End one
 * you don't recognise, or every other (say, after signing in on a borrowed computer); this one ends
 * by signing out.
 */
export function AccountSessionsPage() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: QUERY_KEY, queryFn: sessions });
  const refresh = () => queryClient.invalidateQueries({ queryKey: QUERY_KEY });
  const end = useMutation({ mutationFn: endSession, onSuccess: refresh });
  const endOthers = useMutation({ mutationFn: endOtherSessions, onSuccess: refresh });
  const others = list.data?.filter((session) => !session.current) ?? [];

  return (
    <>
      <h2>Sessions</h2>
      <p className="muted">
        Every browser signed in as you. A session ends after 7 days unused, or 30 days after signing in.
      </p>
      <ErrorMessage error={list.error ?? end.error ?? endOthers.error} />
      {list.isPending && <p className="muted">Loading…</p>}
      {list.data && (
        <SettingsTable label="Sessions" columns={['Browser', 'Client', 'Signed in', 'Last used']}>
          {list.data.map((session) => (
            <tr key={session.id} data-session={session.id}>
              <td>{whereFrom(session)}</td>
              <td>{session.client}</td>
              <td>
                <RelativeTime iso={session.dateCreated} />
              </td>
              <td>
                <RelativeTime iso={session.lastSeen} />
              </td>
              <td>
                {session.current ? (
                  <strong>This browser</strong>
                ) : (
                  <RowAction
                    label={`Sign out ${whereFrom(session)}`}
                    busy={end.isPending}
                    onClick={() => end.mutate(session.id)}
                  >
                    Sign out
                  </RowAction>
                )}
              </td>
            </tr>
          ))}
        </SettingsTable>
      )}
      {endOthers.isSuccess && (
        <p role="status">
          {endOthers.data === 1 ? '1 other session was' : `${endOthers.data} other sessions were`} signed out.
        </p>
      )}
      {others.length > 0 && (
        <button type="button" disabled={endOthers.isPending} onClick={() => endOthers.mutate()}>
          Sign out all other sessions
        </button>
      )}
    </>
  );
}
