import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { confirmLink, pendingLink, providerName } from '../api/linked-accounts';
import { ErrorMessage } from '../components/ErrorMessage';
import { useCurrentUser } from '../session';

/**
 * `/account-links/confirm?token=…`: where the link Slack or GitHub sent a person leads
 * (ACCOUNT_LINK_PATH in core). They see which identity asks to act as them in which organization,
 * and confirm. Signing in first is the layout's job, which comes back here with the token. Nothing is
 * linked by opening the page; the confirmation is a write carrying the session's CSRF token.
 */
export function AccountLinkPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const me = useCurrentUser();
  const pending = useQuery({
    queryKey: ['pending-link', token],
    queryFn: () => pendingLink(token),
    enabled: token !== '',
    retry: false,
  });
  const confirm = useMutation({ mutationFn: () => confirmLink(token) });

  if (confirm.data) {
    const link = confirm.data;
    return (
      <section>
        <h1>Account linked</h1>
        <p role="status">
          Your {providerName(link.provider)} account ({link.externalUserId}) now acts as{' '}
          <strong>{me.data?.email}</strong> in {link.organization}.
        </p>
        <p className="muted">
          You can close this page and go back to {providerName(link.provider)}. Unlink it any time, here in{' '}
          <Link to="/settings/account/linked-accounts/">your linked accounts</Link> or from{' '}
          {providerName(link.provider)}.
        </p>
      </section>
    );
  }
  if (!token || pending.error)
    return (
      <section>
        <h1>The account was not linked</h1>
        {token ? <ErrorMessage error={pending.error} /> : <p className="error">This link has no token.</p>}
        <p>
          Ask for a new link where you got this one (in Slack, <code>/faultline link</code>).
        </p>
      </section>
    );
  if (!pending.data) return <p className="muted">Loading…</p>;

  const request = pending.data;
  const provider = providerName(request.provider);
  return (
    <section>
      <h1>Link your {provider} account</h1>
      <p>
        {provider} user <strong>{request.externalUserId}</strong> (workspace {request.externalWorkspaceId})
        asks to act as you, <strong>{me.data?.email}</strong>, in organization{' '}
        <strong>{request.organization}</strong>: what you do there through {provider} is done with your role
        and recorded as yours.
      </p>
      <p>Only continue if you asked for this link yourself, just now, from {provider}.</p>
      <ErrorMessage error={confirm.error} />
      <button type="button" disabled={confirm.isPending} onClick={() => confirm.mutate()}>
        Link my account
      </button>
    </section>
  );
}
