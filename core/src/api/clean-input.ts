import type { Context } from 'koa';
import { BadRequestError } from '../errors';
import type { InputPart } from './validation';

/**
 * API bodies are small edits; nothing legitimate nests deeper. Deeper JSON would only cost stack:
 * `JSON.stringify` and zod recurse, and overflow (a 500) a few thousand levels down.
 */
export const MAX_JSON_DEPTH = 64;

const NUL = '\u0000';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Refuses, with a 400 naming the parameter, what the database can't take and no client means to
 * send: a NUL character (Postgres text can't hold one, so it would fail the query) in a path or
 * query parameter, or percent-escapes in the URL that don't decode as UTF-8. Runs before
 * authorization, which already looks things up by the path parameters.
 */
export function assertCleanUrl(ctx: Context): void {
  assertUtf8Escapes(ctx.path, 'path');
  assertUtf8Escapes(ctx.querystring, 'query string');
  for (const [name, value] of Object.entries(ctx.params ?? {})) {
    if (typeof value === 'string' && value.includes(NUL)) throw nulIn('path parameter', name);
  }
  for (const [name, value] of Object.entries(ctx.query)) {
    if (name.includes(NUL)) throw nulIn('query parameter', name.replaceAll(NUL, '\\u0000'));
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => v?.includes(NUL))) throw nulIn('query parameter', name);
  }
}

/** Decodes a JSON request body as strict UTF-8; invalid bytes are a 400, not silently replaced. */
export function decodeUtf8Body(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new BadRequestError(
      'The request body is not valid UTF-8; JSON bodies must be encoded as UTF-8',
      'invalid_utf8',
    );
  }
}

/**
 * Walks a parsed JSON body without recursion (so depth itself can't overflow the stack), refusing
 * NUL in any string or key and nesting past `MAX_JSON_DEPTH`, each with the path of the field.
 */
export function assertCleanJson(root: unknown): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes(NUL)) throw nulIn('body field', path || '(the body)');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new BadRequestError(
        `Invalid request body: nested deeper than ${MAX_JSON_DEPTH} levels${path ? ` at \`${path}\`` : ''}`,
        'invalid_request',
      );
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (key.includes(NUL)) throw nulIn('body field', childPath.replaceAll(NUL, '\\u0000'));
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
}

function nulIn(part: InputPart, name: string): BadRequestError {
  return new BadRequestError(
    `Invalid ${part} \`${name}\`: contains a NUL character (\\u0000), which Faultline cannot store`,
    'invalid_request',
  );
}

/** Runs of `%XX` escapes must spell UTF-8 (a lone `%` or other text around them is left alone). */
function assertUtf8Escapes(text: string, where: string): void {
  if (!text.includes('%')) return;
  for (const [run] of text.matchAll(/(?:%[0-9A-Fa-f]{2})+/g)) {
    const bytes = Buffer.from(run.replaceAll('%', ''), 'hex');
    try {
      strictUtf8.decode(bytes);
    } catch {
      throw new BadRequestError(
        `The ${where} has percent-escapes that are not UTF-8 (${run.slice(0, 30)}); encode text as UTF-8`,
        'invalid_utf8',
      );
    }
  }
}
