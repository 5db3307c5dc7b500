import { ApiError } from '../api/http';
import { NotFoundPage } from '../pages/NotFoundPage';
import { ErrorMessage } from './ErrorMessage';

/**
 * A failed query as the page shows it: a 404 (the resource doesn't exist, or the caller may not see
 * it, which the API doesn't tell apart) is the "not found" page; any other error is the API's words.
 */
export function QueryError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 404) return <NotFoundPage />;
  return <ErrorMessage error={error} />;
}
