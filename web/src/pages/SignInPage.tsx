import { useState, type FormEvent } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { signIn, signInOptions, verifySecondFactor } from '../api/faultline';
import { ErrorMessage } from '../components/ErrorMessage';
import { ServerBanner } from '../components/ServerBanner';

/**
 * Where to go after signing in: a path of this site only, never another origin (`//host` and
 * `/\host` are other origins to a browser).
 */
function safeNext(next: string | null): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

/**
 * Email and password, then a TOTP or recovery code when the account has two-factor on. At
 * `/auth/two-factor` (where single sign-on sends a person who also has Faultline 2FA) it starts at
 * the code. At an organization's own address, `/auth/login/{org}/`, it offers that organization's
 * single sign-on by its provider's name when it has one; at `/auth/login/` it asks which
 * organization instead.
 */
export function SignInPage({ step: firstStep = 'password' }: { step?: 'password' | 'code' }) {
  const [params] = useSearchParams();
  const { organization } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<'password' | 'code'>(firstStep);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const done = () => {
    // Whatever was cached belonged to nobody (or someone else).
    queryClient.clear();
    void navigate(safeNext(params.get('next')), { replace: true });
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => {
      const answer = await signIn(String(form.get('email')), String(form.get('password')));
      if (answer.secondFactorRequired) setStep('code');
      else done();
    });
  };

  const submitCode = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => {
      await verifySecondFactor(String(form.get('code')));
      done();
    });
  };

  // Single sign-on is a full navigation: the organization's provider signs the person in and the
  // server sends them back to `next` (or to /auth/two-factor when they also have Faultline 2FA).
  const startSso = (loginUrl: string) => {
    window.location.assign(`${loginUrl}?next=${encodeURIComponent(safeNext(params.get('next')))}`);
  };
  const submitSso = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const slug = String(new FormData(event.currentTarget).get('organization')).trim();
    startSso(`/api/0/auth/sso/${encodeURIComponent(slug)}/login/`);
  };
  const options = useQuery({
    queryKey: ['sign-in-options', organization],
    queryFn: () => signInOptions(organization!),
    enabled: organization !== undefined,
  });
  const sso = options.data?.sso;

  return (
    <>
      <ServerBanner />
      <main className="narrow">
        <h1>Sign in to Faultline</h1>
        {step === 'password' ? (
          <>
            <form onSubmit={submitPassword} aria-describedby={error ? 'sign-in-error' : undefined}>
              <label>
                Email
                <input name="email" type="email" autoComplete="username" required autoFocus />
              </label>
              <label>
                Password
                <input name="password" type="password" autoComplete="current-password" required />
              </label>
              <ErrorMessage error={error} id="sign-in-error" />
              <button type="submit" disabled={busy}>
                Sign in
              </button>
            </form>
            {organization === undefined ? (
              <form onSubmit={submitSso}>
                <h2>Single sign-on</h2>
                <label>
                  Organization (its short name)
                  <input name="organization" required pattern="[A-Za-z0-9][A-Za-z0-9_\-]*" />
                </label>
                <button type="submit" className="secondary">
                  Continue with single sign-on
                </button>
              </form>
            ) : (
              <>
                {sso && (
                  <button type="button" className="secondary" onClick={() => startSso(sso.loginUrl)}>
                    Sign in with {sso.providerName}
                  </button>
                )}
                <ErrorMessage error={options.error} />
              </>
            )}
          </>
        ) : (
          <form onSubmit={submitCode} aria-describedby={error ? 'sign-in-error' : undefined}>
            <p>Two-factor authentication is on for this account.</p>
            <label>
              Code from your authenticator app, or a recovery code
              <input
                name="code"
                autoComplete="one-time-code"
                inputMode="text"
                required
                autoFocus
                spellCheck={false}
              />
            </label>
            <ErrorMessage error={error} id="sign-in-error" />
            <button type="submit" disabled={busy}>
              Verify
            </button>
          </form>
        )}
      </main>
    </>
  );
}
