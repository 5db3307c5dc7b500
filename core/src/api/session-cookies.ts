import type { Context } from 'koa';
import type { CookieDescription } from '../auth';

/**
 * Sets the cookies a sign-in flow returned. Secure cookies are set even when the request reached
 * us over plain HTTP: an https PUBLIC_URL means TLS ends at a proxy in front (Koa would refuse them).
 */
export function applyCookies(ctx: Context, cookies: CookieDescription[]): void {
  for (const cookie of cookies) {
    if (cookie.options.secure) ctx.cookies.secure = true;
    ctx.cookies.set(cookie.name, cookie.value, cookie.options);
  }
}

/** The client's address and browser, recorded with a session and keyed by the throttles. */
export function clientInfo(ctx: Context): { ip: string; userAgent?: string } {
  return { ip: ctx.ip, userAgent: ctx.get('User-Agent') || undefined };
}
