import type { IncomingMessage } from 'node:http';
import { BadRequestError, UnsupportedMediaTypeError } from '../errors';
import { readRawBody } from '../http';

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

/** Reads a JSON request body; an empty body reads as `{}`, whatever its Content-Type. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const body = await readRawBody(
    req,
    MAX_BODY_BYTES,
    `API request bodies are limited to ${MAX_BODY_BYTES} bytes`,
  );
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  const mediaType = mediaTypeOf(req.headers['content-type']);
  if (mediaType !== JSON_MEDIA_TYPE) {
    throw new UnsupportedMediaTypeError(
      `Request bodies must be JSON sent with Content-Type: ${JSON_MEDIA_TYPE} (got ${mediaType === '' ? 'none' : mediaType.slice(0, 100)})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestError('The request body is not valid JSON', 'invalid_json');
  }
}

/** `type/subtype` of a Content-Type header, lower-cased, parameters (`; charset=utf-8`) dropped. */
function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}
