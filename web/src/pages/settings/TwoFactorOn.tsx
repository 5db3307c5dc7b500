import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent, ReactNode } from 'react';
import { disableTwoFactor, regenerateRecoveryCodes } from '../../api/account';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RecoveryCodes } from './RecoveryCodes';

/** A form that does one thing once you typed your password (the API asks for it). */
function WithPassword(props: {
  id: string;
  heading: string;
  note: string;
  button: string;
  error: unknown;
  pending: boolean;
  onPassword: (password: string) => void;
}): ReactNode {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    props.onPassword(String(new FormData(event.currentTarget).get('password')));
  };
  return (
    <form onSubmit={submit} aria-labelledby={props.id}>
      <h3 id={props.id}>{props.heading}</h3>
      <p className="muted">{props.note}</p>
      <label>
        Your password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <ErrorMessage error={props.error} />
      <button type="submit" disabled={props.pending}>
        {props.button}
      </button>
    </form>
  );
}

/**
 * While 2FA is on: new recovery codes (the old ones stop working; shown once), or turning it off.
 * Both ask for the password, so a session left open on someone's screen can't do either.
 */
export function TwoFactorOn() {
  const queryClient = useQueryClient();
  const regenerate = useMutation({ mutationFn: regenerateRecoveryCodes });
  const disable = useMutation({
    mutationFn: disableTwoFactor,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me'] }),
  });

  return (
    <>
      <p>Two-factor authentication is on: signing in asks for a code from your authenticator app.</p>
      {regenerate.data ? (
        <div role="status" aria-label="New recovery codes">
          <p>Your old recovery codes no longer work.</p>
          <RecoveryCodes codes={regenerate.data} />
        </div>
      ) : (
        <WithPassword
          id="recovery-codes-heading"
          heading="New recovery codes"
          note="Replaces all your recovery codes, used or not."
          button="Get new recovery codes"
          error={regenerate.error}
          pending={regenerate.isPending}
          onPassword={(password) => regenerate.mutate(password)}
        />
      )}
      <WithPassword
        id="disable-2fa-heading"
        heading="Turn off two-factor authentication"
        note="Signing in then needs only your password. Organizations that require 2FA will refuse you."
        button="Turn off"
        error={disable.error}
        pending={disable.isPending}
        onPassword={(password) => disable.mutate(password)}
      />
    </>
  );
}
