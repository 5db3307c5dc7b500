import type { Context } from 'koa';
import { z } from 'zod';
import { single } from './validation';

/**
 * Sentry-style cursor pagination. A cursor reads `value:offset:is_prev` as Sentry's does; Faultline
 * only uses the offset (value is always 0), which walks every row exactly once as long as the
 * query orders by a unique key (every list here breaks ties by id).
 */
const CURSOR = /^-?\d+(?:\.\d+)?:(\d+):[01]$/;

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

const limitSchema = single(z.coerce.number().int().min(1).max(MAX_LIMIT).optional());

/** The query parameters every paginated list accepts; `per_page` is Sentry's name on most lists. */
export const pageParams = {
  // Empty is the first page: sentry-cli starts its walks with `?cursor=`.
  cursor: single(
    z
      .string()
      .refine(
        (text) => text === '' || CURSOR.test(text),
        'expected a cursor such as 0:25:0, as given in a Link header',
      )
      .optional(),
  ),
  limit: limitSchema,
  per_page: limitSchema,
};

export interface PageRequest {
  offset: number;
  limit: number;
}

export function pageRequest(query: { cursor?: string; limit?: number; per_page?: number }): PageRequest {
  const offset = query.cursor ? Number(CURSOR.exec(query.cursor)![1]) : 0;
  return { offset, limit: query.limit ?? query.per_page ?? DEFAULT_LIMIT };
}

function formatCursor(offset: number, isPrevious: boolean): string {
  return `0:${offset}:${isPrevious ? 1 : 0}`;
}

/** The `Link` header Sentry clients follow: a previous and a next link, each saying whether it has results. */
export function linkHeader(pageUrl: URL, page: PageRequest, hasMore: boolean): string {
  const link = (rel: 'previous' | 'next', cursor: string, results: boolean) => {
    const url = new URL(pageUrl);
    url.searchParams.set('cursor', cursor);
    return `<${url.toString()}>; rel="${rel}"; results="${results}"; cursor="${cursor}"`;
  };
  const previous = link(
    'previous',
    formatCursor(Math.max(0, page.offset - page.limit), true),
    page.offset > 0,
  );
  const next = link('next', formatCursor(page.offset + page.limit, false), hasMore);
  return `${previous}, ${next}`;
}

/**
 * Fetches one page (asking for one row more than the page to learn whether another follows), sets
 * the `Link` header and returns the page's rows.
 */
export async function paginate<T>(
  ctx: Context,
  publicUrl: string,
  page: PageRequest,
  fetch: (window: { limit: number; offset: number }) => Promise<T[]>,
): Promise<T[]> {
  const rows = await fetch({ limit: page.limit + 1, offset: page.offset });
  const hasMore = rows.length > page.limit;
  const pageUrl = new URL(`${publicUrl}${ctx.path}`);
  pageUrl.search = ctx.querystring;
  ctx.set('Link', linkHeader(pageUrl, page, hasMore));
  return rows.slice(0, page.limit);
}
