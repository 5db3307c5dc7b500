import type { CallResult } from './client';
import { ok } from './client';

/** One link of Sentry's `Link` header: `<url>; rel="next"; results="true"; cursor="0:100:0"`. */
export interface PageLink {
  url: string;
  rel: string;
  /** Whether following it gives any rows (Sentry always sends both links). */
  results: boolean;
  cursor: string;
}

/** The links of a `Link` header, by `rel` (`previous`, `next`). */
export function parseLinkHeader(header: string | null): Record<string, PageLink> {
  const links: Record<string, PageLink> = {};
  for (const part of (header ?? '').split(/,(?=\s*<)/)) {
    const url = /<([^>]*)>/.exec(part)?.[1];
    if (url === undefined) continue;
    const attribute = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(part)?.[1];
    const rel = attribute('rel');
    if (rel === undefined) continue;
    links[rel] = { url, rel, results: attribute('results') === 'true', cursor: attribute('cursor') ?? '' };
  }
  return links;
}

/**
 * Every row of a paginated list, page after page, following the `next` link's cursor while it
 * says it has results:
 *
 * ```ts
 * for await (const issue of paginate((cursor) =>
 *   client.GET('/api/0/organizations/{organization}/issues/', {
 *     params: { path: { organization }, query: { query: '', cursor } },
 *   }),
 * )) { … }
 * ```
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<CallResult<T[]>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  for (;;) {
    const result = await fetchPage(cursor);
    yield* await ok(result);
    const next = parseLinkHeader(result.response.headers.get('link')).next;
    if (!next?.results) return;
    cursor = next.cursor;
  }
}
