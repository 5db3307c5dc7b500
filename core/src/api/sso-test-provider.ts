/**
 * A real OpenID provider (oidc-provider) on loopback for the SSO tests, and a tiny browser (fetch +
 * cookie jar) that signs in through its login and consent pages.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  email: string;
  email_verified: boolean;
  name: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by subject; tests add their own. */
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

export async function startTestProvider(redirectUris: string[]): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  const clientId = 'faultline-test';
  const clientSecret = 'provider-secret-do-not-leak-7f3a9c';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
    },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-cookie-key'] },
    pkce: { required: () => true },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A browser without JavaScript: follows redirects by hand, keeps cookies per host:port, posts forms. */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  /** A request with this browser's cookies: a form post, or (as the web UI sends) a JSON body and headers. */
  async fetch(
    url: string,
    init: {
      method?: string;
      form?: Record<string, string>;
      json?: unknown;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const host = new URL(url).host;
    const cookies = [...(this.jar.get(host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`);
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(cookies.length ? { Cookie: cookies.join('; ') } : {}),
        ...(init.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        ...(init.json === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...init.headers,
      },
      body: init.form
        ? new URLSearchParams(init.form).toString()
        : init.json === undefined
          ? undefined
          : JSON.stringify(init.json),
    });
    const jar = this.jar.get(host) ?? new Map<string, string>();
    this.jar.set(host, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  /**
   * Follows redirects from `url`, signing in as `login` on the provider's login page and accepting
   * its consent page, until a response that isn't the provider's: Faultline's callback answer.
   */
  async signIn(
    url: string,
    login: string,
    stopAt: (url: string) => boolean,
  ): Promise<{ url: string; response: Response }> {
    let current = url;
    let response = await this.fetch(current);
    for (let step = 0; step < 20; step++) {
      if (response.status >= 300 && response.status < 400) {
        current = new URL(response.headers.get('location') ?? '', current).toString();
        if (stopAt(current)) return { url: current, response: await this.fetch(current) };
        response = await this.fetch(current);
        continue;
      }
      if (!(response.headers.get('content-type') ?? '').includes('text/html'))
        return { url: current, response };
      const html = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
      if (!action || !prompt) throw new Error(`No form to post at ${current} (${response.status}): ${html}`);
      const form: Record<string, string> =
        prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
      current = new URL(action, current).toString();
      response = await this.fetch(current, { method: 'POST', form });
    }
    throw new Error('Too many steps signing in at the provider');
  }
}
