import type { IncomingMessage } from 'node:http';
import { BadRequestError } from '../errors';
import { readRawBody } from '../http';
import { assertCleanJson, decodeUtf8Body } from './clean-input';

/** API bodies are small edits (status, assignee); anything near this size is a mistake. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a JSON request body (strict UTF-8, no NUL, bounded depth); an empty body reads as `{}`. */
export async function readJsonBody(req: IncomingMessage, idleTimeoutMs?: number): Promise<unknown> {
  const body = await readRawBody(req, MAX_BODY_BYTES, {
    tooLargeMessage: `API request bodies are limited to ${MAX_BODY_BYTES} bytes`,
    idleTimeoutMs,
  });
  const text = decodeUtf8Body(body).trim();
  if (text === '') return {};
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
