import type { IncomingMessage } from 'node:http';
import { BadRequestError } from '../errors';
import { readRawBody } from '../http';

/** API bodies are small edits (status, assignee); anything near this size is a mistake. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a JSON request body; an empty body reads as `{}`. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const body = await readRawBody(
    req,
    MAX_BODY_BYTES,
    `API request bodies are limited to ${MAX_BODY_BYTES} bytes`,
  );
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestError('The request body is not valid JSON', 'invalid_json');
  }
}
