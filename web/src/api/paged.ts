import { cursorOf } from './cursors';
import { call } from './http';

/** An answer with the cursors of the pages around it, from Sentry's `Link` header. */
export interface Paged<T> {
  data: T;
  next?: string;
  previous?: string;
}

/** A list answer's rows with the `Link` cursors of the pages around it. */
export interface Page<T> {
  items: T[];
  next?: string;
  previous?: string;
}

/** The data of a paged call, or its `ApiError`, with the cursors the `Link` header names. */
export async function withCursors<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Paged<T>> {
  const data = await call(pending);
  const link = (await pending).response.headers.get('Link');
  return { data, next: cursorOf(link, 'next'), previous: cursorOf(link, 'previous') };
}

/** The rows and the `Link` cursors of a paged list call. */
export async function paged<T>(
  pending: Promise<{ data?: T[]; error?: unknown; response: Response }>,
): Promise<Page<T>> {
  const { data, next, previous } = await withCursors(pending);
  return { items: data, next, previous };
}
