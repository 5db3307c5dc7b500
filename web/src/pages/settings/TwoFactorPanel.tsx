import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../api/account';
import { CopyButton } from '../../components/CopyButton';
import { ErrorMessage } from '../../components/ErrorMessage';
import { QrCode } from '../../components/QrCode';
import { useCurrentUser } from '../../session';

/**
 * Two-factor authentication with an authenticator app: start enrolment (a QR code of the API's
 * otpauth:// URI, and the secret for typing by hand), confirm with a first code, then the recovery
 * codes, shown this once.
 */
export function TwoFactorPanel() {
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const begin = useMutation({ mutationFn: beginTotpEnrolment });
  const confirm = useMutation({
    mutationFn: confirmTotpEnrolment,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me'] }),
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    confirm.mutate(String(new FormData(event.currentTarget).get('code')).trim());
  };

  let body;
  if (confirm.data) {
    body = (
      <>
        <p role="status">Two-factor authentication is on.</p>
        <p>
          Keep these recovery codes somewhere safe: each signs you in once without your authenticator app.
          They are not shown again.
        </p>
        <ul className="recovery-codes" aria-label="Recovery codes">
          {confirm.data.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ul>
        <CopyButton text={confirm.data.join('\n')} label="Copy the recovery codes" />
      </>
    );
  } else if (me.data?.has2fa) {
    body = <p>Two-factor authentication is on: signing in asks for a code from your authenticator app.</p>;
  } else if (begin.data) {
    body = (
      <form onSubmit={submit}>
        <p>Scan this code with your authenticator app, or type the secret into it.</p>
        <QrCode text={begin.data.otpauthUri} label="QR code for your authenticator app" />
        <p>
          Secret: <code aria-label="Secret">{begin.data.secret}</code>
        </p>
        <label>
          Code from your authenticator app
          <input name="code" inputMode="numeric" autoComplete="one-time-code" required />
        </label>
        <ErrorMessage error={confirm.error} />
        <button type="submit" disabled={confirm.isPending}>
          Turn on
        </button>
      </form>
    );
  } else {
    body = (
      <>
        <p>Off. With it on, signing in also asks for a code from an authenticator app.</p>
        <ErrorMessage error={begin.error} />
        <button type="button" disabled={begin.isPending} onClick={() => begin.mutate()}>
          Set up two-factor authentication
        </button>
      </>
    );
  }
  return (
    <section aria-labelledby="two-factor-heading">
      <h2 id="two-factor-heading">Two-factor authentication</h2>
      {body}
    </section>
  );
}
