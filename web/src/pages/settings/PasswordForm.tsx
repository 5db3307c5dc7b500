import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { changePassword } from '../../api/account';
import { ErrorMessage } from '../../components/ErrorMessage';
import { matchingNewPassword, NewPasswordFields } from '../../components/NewPasswordFields';

/** Change your password: the current one, then the new one twice (a typo would lock you out). */
export function PasswordForm() {
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: (body: { current: string; next: string }) => changePassword(body.current, body.next),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const next = matchingNewPassword(data);
    setMismatch(next === undefined);
    if (next === undefined) return;
    change.mutate({ current: String(data.get('current')), next }, { onSuccess: () => form.reset() });
  };
  return (
    <form onSubmit={submit} aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <label>
        Current password
        <input name="current" type="password" autoComplete="current-password" required />
      </label>
      <NewPasswordFields label="New password" againLabel="New password again" mismatch={mismatch} />
      <ErrorMessage error={change.error} />
      {change.isSuccess && <p role="status">Your password is changed. Your other sessions are signed out.</p>}
      <button type="submit" disabled={change.isPending}>
        Change password
      </button>
    </form>
  );
}
