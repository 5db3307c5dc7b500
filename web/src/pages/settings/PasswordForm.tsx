import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { changePassword } from '../../api/account';
import { ErrorMessage } from '../../components/ErrorMessage';

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
    const next = String(data.get('new'));
    setMismatch(next !== String(data.get('again')));
    if (next !== String(data.get('again'))) return;
    change.mutate({ current: String(data.get('current')), next }, { onSuccess: () => form.reset() });
  };
  return (
    <form onSubmit={submit} aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <label>
        Current password
        <input name="current" type="password" autoComplete="current-password" required />
      </label>
      <label>
        New password
        <input name="new" type="password" autoComplete="new-password" required />
      </label>
      <label>
        New password again
        <input name="again" type="password" autoComplete="new-password" required />
      </label>
      {mismatch && (
        <p className="error" role="alert">
          The two new passwords differ.
        </p>
      )}
      <ErrorMessage error={change.error} />
      {change.isSuccess && <p role="status">Your password is changed. Your other sessions are signed out.</p>}
      <button type="submit" disabled={change.isPending}>
        Change password
      </button>
    </form>
  );
}
