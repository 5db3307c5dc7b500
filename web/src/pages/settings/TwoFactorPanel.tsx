import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../api/account';
import { ErrorMessage } from '../../components/ErrorMessage';
import { QrCode } from '../../components/QrCode';
import { useCurrentUser } from '../../session';
import { RecoveryCodes } from './RecoveryCodes';
import { TwoFactorOn } from './TwoFactorOn';

/**
 * Two-factor authentication with an authenticator app: start enrolment (a QR code of the API's
 * otpauth:// URI, and the secret for typing by hand), confirm with a first code, then the recovery
 * codes, shown this once. While it is on: new recovery codes, or turning it off (`TwoFactorOn`).
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
        <RecoveryCodes codes={confirm.data} />
      </>
    );
  } else if (me.data?.has2fa) {
    body = <TwoFactorOn />;
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
