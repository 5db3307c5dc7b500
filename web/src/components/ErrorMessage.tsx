import { ApiError, UnreachableError } from '../api/errors';

/** An error in words: the API's `detail` when it answered, never a stack or a blank page. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError || error instanceof UnreachableError) return error.message;
  return 'Something went wrong in this page. Reload to try again.';
}

/** Nothing for an unreachable server: the banner every page carries says that, once. */
export function ErrorMessage({ error, id }: { error: unknown; id?: string }) {
  if (!error || error instanceof UnreachableError) return null;
  return (
    <p className="error" role="alert" id={id}>
      {errorText(error)}
    </p>
  );
}
