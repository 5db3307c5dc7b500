import { FaultlineError, UndeclaredAnswerError } from '../errors';
import { errorAnswerSchema } from '../http';
import type { z } from 'zod';

/** The error statuses a route may declare; each answers `{detail, code}` (http/error-answer.ts). */
export const ERROR_STATUSES = [400, 401, 403, 404, 408, 409, 410, 413, 415, 422, 429, 502, 503, 504] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

/** What a route declares about its answers (part of define-route's `ApiRoute`). */
export interface DeclaredAnswers {
  method: string;
  path: string;
  /** The successful answer's body schema (null: no body). */
  response: z.ZodType | null;
  /** The successful answer's status. */
  status: 200 | 201 | 202 | 204 | 302;
  /** Also answers 204 when the handler returns nothing. */
  orNoContent: boolean;
  /** Every error status this route may answer. */
  errors: readonly ErrorStatus[];
  produces?: 'text/event-stream';
}

/**
 * Every error status a route may answer: those every route of its kind gives from the shared
 * machinery, plus its own. Every route refuses a bad URL or query (400, clean-input.ts and its
 * query schema). A guarded route also refuses missing or bad credentials (401), too many bad tokens
 * (429), a missing scope or CSRF token (403) and what the caller can't see (404, authorize.ts). A
 * route with a body refuses a stalled (408), oversized (413) or non-JSON (415) one (json-body.ts).
 */
export function errorStatuses(spec: {
  resource: string;
  body?: unknown;
  errors?: readonly ErrorStatus[];
}): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>([400, ...(spec.errors ?? [])]);
  if (spec.resource !== 'public') for (const status of [401, 403, 404, 429] as const) statuses.add(status);
  if (spec.body) for (const status of [408, 413, 415] as const) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

const isEmpty = (body: unknown) => body === undefined || body === null || body === '';

const what = (route: DeclaredAnswers) => `${route.method.toUpperCase()} ${route.path}`;

/**
 * Checks a successful answer against its route's declaration: the status, and the body against
 * the response schema (strict objects: a field the declaration doesn't name fails too). An event
 * stream's body is the open stream, so only its status is checked.
 */
export function assertAnswerDeclared(route: DeclaredAnswers, status: number, body: unknown): void {
  if (status === 204 && route.orNoContent && isEmpty(body)) return;
  if (status !== route.status)
    throw new UndeclaredAnswerError(`${what(route)} answered ${status} but declares ${route.status}`);
  // Koa writes a short "Redirecting to…" text with a redirect; the `Location` is the answer.
  if (route.status === 302) return;
  if (route.response === null) {
    if (!isEmpty(body)) throw new UndeclaredAnswerError(`${what(route)} declares no body but answered one`);
    return;
  }
  if (route.produces === 'text/event-stream') return;
  // Checked as the client receives it: dates and the like as JSON writes them.
  const result = route.response.safeParse(body === undefined ? undefined : JSON.parse(JSON.stringify(body)));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UndeclaredAnswerError(
      `${what(route)} answered a body its response schema refuses: at \`${issue.path.map(String).join('.')}\`: ${issue.message}`,
    );
  }
}

/**
 * Checks an error a route is answering with: its status must be one the route declares (its body
 * is always `{detail, code}`, written by the error middleware). Anything that isn't one of our
 * typed errors is a 500, which no route declares.
 */
export function assertErrorDeclared(route: DeclaredAnswers, error: unknown): void {
  if (error instanceof UndeclaredAnswerError) return;
  const status = statusOf(error);
  if (!(route.errors as readonly number[]).includes(status)) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new UndeclaredAnswerError(
      `${what(route)} answered ${status}, which it doesn't declare (${route.errors.join(', ')})${detail}`,
    );
  }
  // The body is what the error middleware writes; checked here so the promise and the writer agree.
  if (error instanceof FaultlineError && !errorAnswerSchema.safeParse(error.answer()).success)
    throw new UndeclaredAnswerError(`${what(route)} answered an error that isn't {detail, code}`);
}

/** The status the error middleware answers an error with (Koa's exposed errors keep theirs). */
function statusOf(error: unknown): number {
  if (error instanceof FaultlineError) return error.status;
  const koa = error as { expose?: unknown; status?: unknown } | null;
  if (koa?.expose === true && typeof koa.status === 'number') return koa.status;
  return 500;
}
