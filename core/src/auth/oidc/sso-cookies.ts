import type { CookieDescription } from '../cookies';

/** The browser-bound cookies of single sign-on, beside (not instead of) the session cookies. */
export type SsoCookie = 'state' | 'link';

/** `__Host-` on https, so a sibling subdomain can't plant one (see `cookieNames`). */
export function ssoCookieName(publicUrl: string, cookie: SsoCookie): string {
  return `${new URL(publicUrl).protocol === 'https:' ? '__Host-' : ''}faultline_sso_${cookie}`;
}

/**
 * The state cookie is Lax: the provider sends the browser back with a top-level GET from its own
 * site, which carries Lax cookies. The pending-link cookie is Strict: only Faultline's own pages
 * confirm a link, so no other site's request ever needs (or gets) it. An empty value with max age
 * 0 clears the cookie.
 */
export function ssoCookie(
  publicUrl: string,
  cookie: SsoCookie,
  value: string,
  maxAgeSeconds: number,
): CookieDescription {
  return {
    name: ssoCookieName(publicUrl, cookie),
    value,
    options: {
      httpOnly: true,
      sameSite: cookie === 'state' ? 'lax' : 'strict',
      secure: new URL(publicUrl).protocol === 'https:',
      path: '/',
      maxAge: maxAgeSeconds * 1000,
      overwrite: true,
    },
  };
}
