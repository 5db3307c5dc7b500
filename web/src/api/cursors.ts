import { parseLinkHeader } from '@faultline/api-client';

/** The cursor of a page named by Sentry's `Link` header (`next`, `previous`), when it has results. */
export function cursorOf(link: string | null, rel: 'next' | 'previous'): string | undefined {
  const found = parseLinkHeader(link)[rel];
  return found?.results ? found.cursor : undefined;
}
