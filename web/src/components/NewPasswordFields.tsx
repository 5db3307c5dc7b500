/** The names of the two fields `NewPasswordFields` renders. */
const FIRST = 'new-password';
const AGAIN = 'new-password-again';

/** The new password of a form with `NewPasswordFields`, or undefined when the two typed differ. */
export function matchingNewPassword(form: FormData): string | undefined {
  const password = String(form.get(FIRST));
  return password === String(form.get(AGAIN)) ? password : undefined;
}

/**
 * A new password typed twice, since a typo in one typed once would lock its owner out; `mismatch`
 * (from `matchingNewPassword`) says the two differ.
 */
export function NewPasswordFields({
  label,
  againLabel,
  mismatch,
}: {
  label: string;
  againLabel: string;
  mismatch: boolean;
}) {
  return (
    <>
      <label>
        {label}
        <input name={FIRST} type="password" autoComplete="new-password" required />
      </label>
      <label>
        {againLabel}
        <input name={AGAIN} type="password" autoComplete="new-password" required />
      </label>
      {mismatch && (
        <p className="error" role="alert">
          The two passwords differ.
        </p>
      )}
    </>
  );
}
