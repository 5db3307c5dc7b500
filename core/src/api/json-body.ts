import type { IncomingMessage } from 'node:http';
import { BadRequestError, UnsupportedMediaTypeError } from '../errors';
import { readRawBody } from '../http';
import { assertCleanJson, decodeUtf8Body } from './clean-input';

/** API bodies are small edits (status, assignee); anything near this size is a mistake. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The one media type API bodies come in. Checked for every route, because an HTML form on any site
 * can post `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data` to us with the
 * browser's cookies and no CORS preflight, while `application/json` needs a preflight we never grant.
 * Routes that take no session (sign-in, password reset, SSO linking) have no CSRF token to check, so
 * this is what keeps a page elsewhere from signing a visitor in as someone else (login CSRF).
 */
const JSON_MEDIA_TYPE = 'application/json';

/**
 * Reads a JSON request body (sent as `application/json`, strict UTF-8, no NUL, bounded depth); an
 * empty body reads as `{}`, whatever its Content-Type.
 */
export async function readJsonBody(req: IncomingMessage, idleTimeoutMs?: number): Promise<unknown> {
  const body = await readRawBody(req, MAX_BODY_BYTES, {
    tooLargeMessage: `API request bodies are limited to ${MAX_BODY_BYTES} bytes`,
    idleTimeoutMs,
  });
  const text = decodeUtf8Body(body).trim();
  if (text === '') return {};
  const mediaType = mediaTypeOf(req.headers['content-type']);
  if (mediaType !== JSON_MEDIA_TYPE) {
    throw new UnsupportedMediaTypeError(
      `Request bodies must be JSON sent with Content-Type: ${JSON_MEDIA_TYPE} (got ${mediaType === '' ? 'none' : mediaType.slice(0, 100)})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestError('The request body is not valid JSON', 'invalid_json');
  }
  // Checked here, once for every route, rather than in each schema: what reaches the database
  // and the handlers has no NUL and no absurd nesting.
  assertCleanJson(parsed);
  return parsed;
}

/** `type/subtype` of a Content-Type header, lower-cased, parameters (`; charset=utf-8`) dropped. */
function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}
