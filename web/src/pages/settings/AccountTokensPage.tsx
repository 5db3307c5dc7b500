import { createUserToken, revokeUserToken, userTokens } from '../../api/settings';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useHeldScopes } from '../../settings/access';
import { TokensPanel } from './TokensPanel';

/** Your API tokens: for scripts and tools that act as you. */
export function AccountTokensPage() {
  const held = useHeldScopes();
  return (
    <>
      <h2>API tokens</h2>
      <p className="muted">
        A token acts as you, in every organization, with at most the scopes you give it and never more than
        your role there allows. Send it as <code>Authorization: Bearer …</code>.
      </p>
      <ErrorMessage error={held.error} />
      {held.pending ? (
        <p className="muted">Loading…</p>
      ) : (
        <TokensPanel
          queryKey={['api-tokens']}
          list={userTokens}
          create={createUserToken}
          revoke={revokeUserToken}
          scopes={held.scopes}
        />
      )}
    </>
  );
}
