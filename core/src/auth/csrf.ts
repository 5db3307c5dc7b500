import { createHmac, timingSafeEqual } from 'node:crypto';
import { CsrfError } from './errors';

export const CSRF_HEADER = 'x-csrf-token';

/** Methods that change nothing, so need no CSRF token (RFC 9110 "safe" methods). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * The session's CSRF token: an HMAC of the session's stored hash. Nothing more is stored, it changes
 * whenever the session is rotated, and it can't be computed without the server's key.
 */
export function deriveCsrfToken(csrfKey: Buffer, sessionTokenHash: string): string {
  return createHmac('sha256', csrfKey).update(`csrf:${sessionTokenHash}`).digest('base64url');
}

/** Throws `CsrfError` unless `headerValue` is the session's CSRF token (constant-time comparison). */
export function assertCsrf(session: { csrfToken: string }, headerValue: string | undefined): void {
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(headerValue ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CsrfError();
}
