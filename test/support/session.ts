import { httpRequest, type HttpResponse } from './http';

/** An answer of the REST API: status, parsed JSON body (or undefined) and the raw text. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: HttpResponse['headers'];
}

export interface ApiRequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Session callers only: send the CSRF token (default true). */
  csrf?: boolean;
}

function answerOf<T>(res: HttpResponse): ApiAnswer<T> {
  const text = res.text();
  let body: unknown = undefined;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

/** The `name=value` pairs a response's Set-Cookie headers set. */
function cookiesSet(res: HttpResponse): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of res.headers['set-cookie'] ?? []) {
    const pair = header.split(';', 1)[0];
    const at = pair.indexOf('=');
    if (at > 0) cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return cookies;
}

/** Someone calling `/api/0`: with an API token, or as a person signed in with a session cookie. */
export abstract class ApiCaller {
  constructor(readonly baseUrl: string) {}

  protected abstract authHeaders(method: string, options: ApiRequestOptions): Record<string, string>;

  async request<T = unknown>(
    method: string,
    path: string,
    options: ApiRequestOptions = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...this.authHeaders(method, options),
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
    return answerOf<T>(await httpRequest(`${this.baseUrl}/api/0${path}`, { method, headers, body }));
  }

  /** `request`, failing with the answer unless its status is `status`. */
  async expect<T = unknown>(
    status: number,
    method: string,
    path: string,
    options: ApiRequestOptions = {},
  ): Promise<T> {
    const answer = await this.request<T>(method, path, options);
    if (answer.status !== status)
      throw new Error(
        `${method} /api/0${path} answered ${answer.status}, expected ${status}: ${answer.text.slice(0, 500)}`,
      );
    return answer.body;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.expect<T>(200, 'GET', path);
  }
}

/** A caller with `Authorization: Bearer <token>`. */
export class TokenCaller extends ApiCaller {
  constructor(
    baseUrl: string,
    private readonly token: string,
  ) {
    super(baseUrl);
  }

  protected authHeaders(): Record<string, string> {
    return { Authorization: `Bearer ${this.token}` };
  }
}

/** A person signed in over HTTP: keeps the cookies sign-in set and sends the CSRF token on writes. */
export class SessionCaller extends ApiCaller {
  private constructor(
    baseUrl: string,
    private readonly cookies: Map<string, string>,
    readonly csrfToken: string,
    readonly userId: string,
  ) {
    super(baseUrl);
  }

  /** `POST /api/0/auth/login/`; fails unless it answers 200 with a session cookie and a CSRF token. */
  static async signIn(baseUrl: string, email: string, password: string): Promise<SessionCaller> {
    const res = await httpRequest(`${baseUrl}/api/0/auth/login/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const answer = answerOf<{ csrfToken?: string; user?: { id?: string } }>(res);
    if (answer.status !== 200) throw new Error(`sign-in answered ${answer.status}: ${answer.text}`);
    const cookies = cookiesSet(res);
    if (![...cookies.keys()].some((name) => name.endsWith('faultline_session')))
      throw new Error(`sign-in set no session cookie: ${JSON.stringify(res.headers['set-cookie'])}`);
    const csrfToken = answer.body.csrfToken;
    if (!csrfToken) throw new Error(`sign-in answered no csrfToken: ${answer.text}`);
    return new SessionCaller(baseUrl, cookies, csrfToken, String(answer.body.user?.id ?? ''));
  }

  /** The CSRF cookie sign-in set (the web UI reads it). */
  get csrfCookie(): string | undefined {
    return [...this.cookies.entries()].find(([name]) => name.endsWith('faultline_csrf'))?.[1];
  }

  protected authHeaders(method: string, options: ApiRequestOptions): Record<string, string> {
    const headers: Record<string, string> = {
      Cookie: [...this.cookies.entries()].map(([name, value]) => `${name}=${value}`).join('; '),
    };
    const safe = ['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(method.toUpperCase());
    if (!safe && options.csrf !== false) headers['X-CSRF-Token'] = this.csrfToken;
    return headers;
  }
}
