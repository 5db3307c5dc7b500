import type { FormEvent } from 'react';
import type { RateLimit } from '../../api/settings';

interface Props {
  keyId: string;
  current: RateLimit | null;
  busy: boolean;
  onSave: (limit: RateLimit | null) => void;
}

/** A key's own rate limit: events per window, or none (the server's default then applies). */
export function RateLimitForm({ keyId, current, busy, onSave }: Props) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    onSave({ count: Number(form.get('count')), window: Number(form.get('window')) });
  };
  return (
    <form className="inline-form" onSubmit={submit} key={`${current?.count}-${current?.window}`}>
      <label>
        Events
        <input
          name="count"
          type="number"
          min={1}
          required
          defaultValue={current?.count}
          id={`count-${keyId}`}
        />
      </label>
      <label>
        per seconds
        <input
          name="window"
          type="number"
          min={1}
          max={86400}
          required
          defaultValue={current?.window ?? 60}
          id={`window-${keyId}`}
        />
      </label>
      <button type="submit" className="secondary" disabled={busy}>
        Set rate limit
      </button>
      {current && (
        <button type="button" className="secondary" disabled={busy} onClick={() => onSave(null)}>
          Remove rate limit
        </button>
      )}
    </form>
  );
}
