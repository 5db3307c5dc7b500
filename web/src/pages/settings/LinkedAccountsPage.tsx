import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { linkedAccounts, providerName, unlinkAccount } from '../../api/linked-accounts';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RelativeTime } from '../../components/RelativeTime';
import { RowAction, SettingsTable } from '../../components/SettingsTable';
import { ConnectGitHub } from './ConnectGitHub';

const QUERY_KEY = ['linked-accounts'];

/**
 * `/settings/account/linked-accounts/`: the Slack and GitHub accounts that act as you, each in one
 * organization. Unlinking stops that at once; linking starts from the integration (`/faultline link`)
 * or, for GitHub, from Connect GitHub here.
 */
export function LinkedAccountsPage() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: QUERY_KEY, queryFn: linkedAccounts });
  const unlink = useMutation({
    mutationFn: unlinkAccount,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: QUERY_KEY }),
  });

  return (
    <>
      <h2>Linked accounts</h2>
      <p className="muted">
        A linked Slack or GitHub account acts as you in one organization: what you do there through it is done
        with your role and recorded as yours. To link one, use the integration (in Slack,{' '}
        <code>/faultline link</code>) and open the link it sends you, or connect your GitHub account here.
      </p>
      <ConnectGitHub />
      <ErrorMessage error={list.error ?? unlink.error} />
      {list.isPending && <p className="muted">Loading…</p>}
      {list.data?.length === 0 && <p className="empty">No linked accounts.</p>}
      {list.data && list.data.length > 0 && (
        <SettingsTable label="Linked accounts" columns={['Service', 'Account', 'Organization', 'Linked']}>
          {list.data.map((link) => (
            <tr key={link.id}>
              <td>{providerName(link.provider)}</td>
              <td>
                {link.externalUserId} <span className="muted">(workspace {link.externalWorkspaceId})</span>
              </td>
              <td>{link.organization}</td>
              <td>
                <RelativeTime iso={link.dateCreated} />
              </td>
              <td>
                <RowAction
                  label={`Unlink ${providerName(link.provider)} account ${link.externalUserId} in ${link.organization}`}
                  busy={unlink.isPending}
                  onClick={() => unlink.mutate(link.id)}
                >
                  Unlink
                </RowAction>
              </td>
            </tr>
          ))}
        </SettingsTable>
      )}
    </>
  );
}
