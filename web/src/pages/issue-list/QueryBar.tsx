import type { FormEvent } from 'react';
import { ErrorMessage } from '../../components/ErrorMessage';

/**
 * The search box of the issue list: the API's query syntax as typed, sent on Enter; when the API
 * refuses the query, its words stand right under the box and the box points at them.
 */
export function QueryBar({
  query,
  error,
  onSearch,
}: {
  query: string;
  error: unknown;
  onSearch: (query: string) => void;
}) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSearch(String(new FormData(event.currentTarget).get('query') ?? '').trim());
  };
  return (
    <>
      <form className="query-bar" role="search" onSubmit={submit}>
        <label htmlFor="issue-query" className="visually-hidden">
          Search issues
        </label>
        <input
          id="issue-query"
          name="query"
          // A new URL (Back, a tab) puts its query back into the box.
          key={query}
          defaultValue={query}
          placeholder="level:error release:1.2.0 assigned:me free text"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'query-error' : undefined}
        />
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={error} id="query-error" />
    </>
  );
}
