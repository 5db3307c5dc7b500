import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { completePasswordReset } from '../api/faultline';
import { ErrorMessage } from '../components/ErrorMessage';
import { ServerBanner } from '../components/ServerBanner';

/**
 * Choosing a password from a one-time link: the mailed reset link, and the link the first
 * `faultline start --bootstrap` prints for the admin it created.
 */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [mismatch, setMismatch] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password'));
    // Checked here: the API takes one password and can't know what was meant.
    setMismatch(password !== String(form.get('confirm')));
    if (password !== String(form.get('confirm'))) return;
    setBusy(true);
    setError(null);
    try {
      await completePasswordReset(token, password);
      setDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ServerBanner />
      <main className="narrow">
        <h1>Choose a password</h1>
        {done ? (
          <p>
            Your password is set. <Link to="/auth/login">Sign in</Link>
          </p>
        ) : !token ? (
          <p className="error" role="alert">
            This link has no token. Open the whole link from the mail or the terminal.
          </p>
        ) : (
          <form onSubmit={(event) => void submit(event)}>
            <label>
              New password
              <input name="password" type="password" autoComplete="new-password" required autoFocus />
            </label>
            <label>
              New password again
              <input name="confirm" type="password" autoComplete="new-password" required />
            </label>
            {mismatch ? (
              <p className="error" role="alert">
                The two passwords differ.
              </p>
            ) : (
              <ErrorMessage error={error} />
            )}
            <button type="submit" disabled={busy}>
              Set password
            </button>
          </form>
        )}
      </main>
    </>
  );
}
