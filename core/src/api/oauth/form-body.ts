import type { IncomingMessage } from 'node:http';
import { OAuthError } from '../../errors';
import { readRawBody } from '../../http';
import { decodeUtf8Body } from '../clean-input';

/** A handful of short fields; anything near this size is not one of our forms. */
const MAX_FORM_BYTES = 16 * 1024;

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * The one exception to JSON request bodies (see `json-body.ts`): RFC 8628 §3.1 and §3.4 make a
 * device send `application/x-www-form-urlencoded`, and the account link page's HTML form posts the
 * same. Only those read it; the page's form carries its own CSRF proof.
 * A parameter sent twice is refused, as RFC 6749 §3.1 requires; problems are `invalid_request`.
 */
export async function readFormBody(
  req: IncomingMessage,
  idleTimeoutMs?: number,
): Promise<Record<string, string | undefined>> {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== FORM_MEDIA_TYPE)
    throw new OAuthError('invalid_request', `Send the parameters as ${FORM_MEDIA_TYPE} (RFC 6749 §3.2)`);
  const body = await readRawBody(req, MAX_FORM_BYTES, {
    tooLargeMessage: `Form bodies are limited to ${MAX_FORM_BYTES} bytes`,
    idleTimeoutMs,
  });
  const params = new URLSearchParams(decodeUtf8Body(body));
  const fields: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name in fields)
      throw new OAuthError('invalid_request', `The parameter ${name} was sent more than once`);
    if (value.includes('\u0000'))
      throw new OAuthError('invalid_request', `The parameter ${name} holds a NUL character`);
    fields[name] = value;
  }
  return fields;
}
