import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NewToken, Scope, Token } from '../../api/settings';
import { CopyButton } from '../../components/CopyButton';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RelativeTime } from '../../components/RelativeTime';
import { RowAction, SettingsTable } from '../../components/SettingsTable';
import { NewTokenForm } from './NewTokenForm';

interface Props {
  /** The query's key, and the calls that list, create and revoke these tokens. */
  queryKey: readonly unknown[];
  list: () => Promise<Token[]>;
  create: (body: { name?: string; scopes: Scope[] }) => Promise<NewToken>;
  revoke: (tokenId: string) => Promise<void>;
  scopes: readonly Scope[];
}

/**
 * A list of tokens with revoke, and a form for a new one. The API stores tokens hashed, so a new
 * token is shown here once, right after it is made, and never again.
 */
export function TokensPanel({ queryKey, list, create, revoke, scopes }: Props) {
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey, queryFn: list });
  const refresh = () => queryClient.invalidateQueries({ queryKey });
  const making = useMutation({ mutationFn: create, onSuccess: refresh });
  const revoking = useMutation({ mutationFn: revoke, onSuccess: refresh });
  const made = making.data;

  return (
    <>
      {made && (
        <div className="secret" role="status" aria-label="New token">
          <p>
            <strong>Copy the token {made.name} now:</strong> it is shown this once.
          </p>
          <div className="copy-row">
            <label htmlFor="new-token">Token</label>
            <input id="new-token" readOnly value={made.token} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={made.token} label="Copy the new token" />
          </div>
          <button type="button" className="secondary" onClick={() => making.reset()}>
            Done
          </button>
        </div>
      )}
      <NewTokenForm scopes={scopes} busy={making.isPending} error={making.error} onCreate={making.mutate} />
      <ErrorMessage error={tokens.error ?? revoking.error} />
      {tokens.data?.length === 0 && <p className="empty">No tokens yet.</p>}
      {!!tokens.data?.length && (
        <SettingsTable columns={['Name', 'Ends with', 'Client', 'Scopes', 'Created', 'Last used']}>
          {tokens.data.map((token) => (
            <tr key={token.id}>
              <td>{token.name}</td>
              <td>
                <code>…{token.tokenLastCharacters}</code>
              </td>
              <td>{token.client}</td>
              <td>{token.scopes.join(' ')}</td>
              <td>
                <RelativeTime iso={token.dateCreated} />
              </td>
              <td>{token.dateLastUsed ? <RelativeTime iso={token.dateLastUsed} /> : 'never'}</td>
              <td>
                <RowAction
                  label={`Revoke ${token.name}`}
                  busy={revoking.isPending}
                  onClick={() => revoking.mutate(token.id)}
                >
                  Revoke
                </RowAction>
              </td>
            </tr>
          ))}
        </SettingsTable>
      )}
    </>
  );
}
