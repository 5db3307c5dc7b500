import { useMutation, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { decideDeviceAuthorization, deviceAuthorization } from '../../api/settings';
import { ErrorMessage } from '../../components/ErrorMessage';

/** Where a person types the code when they opened the verification address without it. */
function EnterCode({ initial, onCode }: { initial: string; onCode: (code: string) => void }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onCode(String(new FormData(event.currentTarget).get('code') ?? '').trim());
  };
  return (
    <form onSubmit={submit} className="inline-form">
      <label>
        The code your device shows
        <input name="code" defaultValue={initial} autoComplete="off" autoCapitalize="characters" required />
      </label>
      <button type="submit">Continue</button>
    </form>
  );
}

/**
 * `/auth/device?user_code=…`: approving or denying a device sign-in (RFC 8628), where the
 * verification URI `/oauth/device` sends people. Signing in first is the layout's job, as on every
 * page; the code comes back with `next`.
 */
export function DeviceApprovalPage() {
  const [params, setParams] = useSearchParams();
  const userCode = params.get('user_code') ?? '';
  const pending = useQuery({
    queryKey: ['device-authorization', userCode],
    queryFn: () => deviceAuthorization(userCode),
    enabled: userCode !== '',
    // Each look-up of a code counts against the typed-code rate limit: ask once.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'deny') => decideDeviceAuthorization(userCode, decision),
  });
  const enterCode = (code: string) => {
    decide.reset();
    setParams({ user_code: code });
  };

  if (decide.isSuccess) {
    const approved = decide.variables === 'approve';
    return (
      <section>
        <h1>{approved ? 'Device connected' : 'Sign-in denied'}</h1>
        <p>
          {approved
            ? `${decide.data.client.name} is signed in as you now. You can close this page and go back to it.`
            : `${decide.data.client.name} was not let in. You can close this page.`}
        </p>
      </section>
    );
  }
  if (!userCode || pending.error)
    return (
      <section>
        <h1>Connect a device</h1>
        <ErrorMessage error={pending.error} />
        <EnterCode initial={userCode} onCode={enterCode} />
      </section>
    );
  if (!pending.data) return <p className="muted">Loading…</p>;

  const { client, grantableScopes, requestedScopes } = pending.data;
  const withheld = requestedScopes.filter((scope) => !(grantableScopes as string[]).includes(scope));
  return (
    <section>
      <h1>Connect {client.name}?</h1>
      <p>
        Check that your device shows this code: <strong className="code">{pending.data.userCode}</strong>
      </p>
      <p>
        <strong>{client.name}</strong> asks to act as you, with these permissions in your organizations (as
        far as your role there allows):
      </p>
      <ul aria-label="Permissions approving gives">
        {grantableScopes.map((scope) => (
          <li key={scope} data-scope={scope}>
            {scope}
          </li>
        ))}
      </ul>
      {withheld.length > 0 && (
        <p className="muted">Asked for but not yours to give: {withheld.join(', ')}.</p>
      )}
      <p>
        Only approve if you started this sign-in yourself, just now. Anyone who got you to this page with a
        code of theirs would get these permissions.
      </p>
      <ErrorMessage error={decide.error} />
      <div className="actions">
        <button type="button" disabled={decide.isPending} onClick={() => decide.mutate('approve')}>
          Approve
        </button>
        <button
          type="button"
          className="secondary"
          disabled={decide.isPending}
          onClick={() => decide.mutate('deny')}
        >
          Deny
        </button>
      </div>
    </section>
  );
}
