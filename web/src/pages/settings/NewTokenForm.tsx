import type { FormEvent } from 'react';
import type { Scope } from '../../api/settings';
import { ErrorMessage } from '../../components/ErrorMessage';

interface Props {
  /** The scopes to offer: those the caller holds, since a token never does more than its maker may. */
  scopes: readonly Scope[];
  busy: boolean;
  error: unknown;
  onCreate: (body: { name?: string; scopes: Scope[] }) => void;
}

/** Name and scopes of a new token. */
export function NewTokenForm({ scopes, busy, error, onCreate }: Props) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    onCreate({ name: name || undefined, scopes: form.getAll('scope').map(String) as Scope[] });
  };
  return (
    <form onSubmit={submit}>
      <label>
        Token name
        <input name="name" maxLength={100} placeholder="e.g. CI releases" />
      </label>
      <fieldset className="scopes">
        <legend>Scopes</legend>
        {scopes.map((scope) => (
          <label className="inline" key={scope}>
            <input type="checkbox" name="scope" value={scope} defaultChecked={scope.endsWith(':read')} />
            {scope}
          </label>
        ))}
      </fieldset>
      <ErrorMessage error={error} />
      <button type="submit" disabled={busy}>
        Create token
      </button>
    </form>
  );
}
