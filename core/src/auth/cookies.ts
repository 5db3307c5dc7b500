/**
 * The session and CSRF cookies as data: the HTTP layer applies them (`ctx.cookies.set(name, value,
 * options)` takes these options as they are), so the rules live here, beside the sessions.
 */
export interface CookieOptions {
  httpOnly: boolean;
  sameSite: 'lax' | 'strict';
  secure: boolean;
  path: '/';
  /** Milliseconds, as Koa's cookies expect; 0 with an empty value clears the cookie. */
  maxAge: number;
  overwrite: true;
}

export interface CookieDescription {
  name: string;
  value: string;
  options: CookieOptions;
}

export interface CookieNames {
  session: string;
  csrf: string;
}

/**
 * Secure cookies carry the `__Host-` prefix: browsers then refuse them unless Secure, path=/ and
 * no Domain, so a sibling subdomain can't plant one.
 */
export function cookieNames(publicUrl: string): CookieNames {
  const prefix = isSecure(publicUrl) ? '__Host-' : '';
  return { session: `${prefix}faultline_session`, csrf: `${prefix}faultline_csrf` };
}

function isSecure(publicUrl: string): boolean {
  return new URL(publicUrl).protocol === 'https:';
}

export class SessionCookies {
  readonly names: CookieNames;
  private readonly secure: boolean;

  constructor(publicUrl: string) {
    this.names = cookieNames(publicUrl);
    this.secure = isSecure(publicUrl);
  }

  /** The httpOnly session cookie, living as long as the session can. */
  session(token: string, maxAgeSeconds: number): CookieDescription {
    return { name: this.names.session, value: token, options: this.options(true, maxAgeSeconds) };
  }

  /**
   * The CSRF token in a cookie script can read (not httpOnly), for the web UI to echo in the
   * X-CSRF-Token header: a page on another site can neither read it nor set the header.
   */
  csrf(csrfToken: string, maxAgeSeconds: number): CookieDescription {
    return { name: this.names.csrf, value: csrfToken, options: this.options(false, maxAgeSeconds) };
  }

  /** Both cookies, cleared (sign-out). */
  cleared(): CookieDescription[] {
    return [
      { name: this.names.session, value: '', options: this.options(true, 0) },
      { name: this.names.csrf, value: '', options: this.options(false, 0) },
    ];
  }

  private options(httpOnly: boolean, maxAgeSeconds: number): CookieOptions {
    return {
      httpOnly,
      sameSite: 'lax',
      secure: this.secure,
      path: '/',
      maxAge: maxAgeSeconds * 1000,
      overwrite: true,
    };
  }
}
