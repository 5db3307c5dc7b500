import { BadRequestError } from '../../errors';

/**
 * A `next` parameter as a path on Faultline's own origin, or an error: anything that would leave
 * the site (`//evil.example`, `https://…`, `/\evil`) is refused, so the login can't be an open redirect.
 */
export function sameOriginPath(next: string, publicUrl: string): string {
  const origin = new URL(publicUrl).origin;
  // eslint-disable-next-line no-control-regex
  const suspicious = !next.startsWith('/') || next.startsWith('//') || /[\\\u0000-\u001f]/.test(next);
  const resolved = suspicious ? undefined : new URL(next, origin);
  if (!resolved || resolved.origin !== origin) {
    throw new BadRequestError(
      'next must be a path on this site, such as /organizations/acme/',
      'invalid_next',
    );
  }
  return resolved.pathname + resolved.search + resolved.hash;
}

/** Where the browser lands: the `next` path on the public origin, else PUBLIC_URL itself. */
export function landingUrl(publicUrl: string, next: string | null): string {
  return next === null ? publicUrl : new URL(next, new URL(publicUrl).origin).toString();
}
