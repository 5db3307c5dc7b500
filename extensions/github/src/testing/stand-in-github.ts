import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRequest } from './openapi-check';

/**
 * A stand-in for GitHub's REST API on loopback, for tests: the plugin's real Octokit client is
 * pointed at it by `baseUrl`. It keeps repositories' issues, comments and commits in memory, answers
 * like GitHub (ETags and 304s included), records every request, and checks each one against
 * GitHub's published description: `problems` lists what did not match.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
}

export interface StandInIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  /** Logins. */
  assignees?: string[];
  comments: { id: number; body: string; login: string }[];
}

export interface StandInCommit {
  sha: string;
  message: string;
}

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  headers: Record<string, string>;
  times: number;
}

export class StandInGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly problems: string[] = [];
  /** By `owner/name` (lower case). */
  readonly repositories = new Map<string, { issues: StandInIssue[]; commits: StandInCommit[] }>();
  /** GitHub users by login, with their ids (`userId` adds one). */
  readonly users = new Map<string, number>();
  /**
   * The OAuth app people authorize on the stand-in's web flow, and the GitHub login of the person
   * "signed in to GitHub" in the browser, who approves at once.
   */
  oauthApp?: { clientId: string; clientSecret: string };
  signedInLogin?: string;
  /** Codes of the web flow (single use) and the user tokens they became. */
  private readonly codes = new Map<string, { login: string; redirectUri: string }>();
  private readonly userTokens = new Map<string, string>();
  private faults: Fault[] = [];
  private nextCommentId = 1000;
  private server?: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.answer(request, Buffer.concat(chunks).toString('utf8'), response));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  repository(name: string): { issues: StandInIssue[]; commits: StandInCommit[] } {
    const key = name.toLowerCase();
    if (!this.repositories.has(key)) this.repositories.set(key, { issues: [], commits: [] });
    return this.repositories.get(key)!;
  }

  issue(repository: string, number: number): StandInIssue | undefined {
    return this.repository(repository).issues.find((i) => i.number === number);
  }

  /** The id of the GitHub user `login`, who exists from then on. */
  userId(login: string): number {
    if (!this.users.has(login)) this.users.set(login, 5000 + this.users.size);
    return this.users.get(login)!;
  }

  private userShape(login: string) {
    return { login, id: this.userId(login), type: 'User' };
  }

  /** The next `times` requests matching `method` and `path` are answered `status` with `headers`. */
  fail(method: string, path: RegExp, status: number, headers: Record<string, string> = {}, times = 1): void {
    this.faults.push({ method, path, status, headers, times });
  }

  /** Requests other than the App's token requests, as `METHOD /path`. */
  calls(): string[] {
    return this.requests.filter((r) => !r.path.startsWith('/app/')).map((r) => `${r.method} ${r.path}`);
  }

  private answer(request: http.IncomingMessage, text: string, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = request.method ?? 'GET';
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    // GitHub's web flow (github.com/login/oauth/…) is no part of the REST description.
    if (url.pathname.startsWith('/login/oauth/')) return this.oauth(method, url, body, response);
    const { problems } = checkRequest(method, url.pathname, url.searchParams, body);
    this.problems.push(...problems.map((p) => `${method} ${url.pathname}: ${p}`));
    const send = (status: number, data?: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
        status,
      });
      const json = data === undefined ? '' : JSON.stringify(data);
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      response.end(json);
    };
    const fault = this.faults.find((f) => f.method === method && f.path.test(url.pathname));
    if (fault) {
      if (--fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
      send(
        fault.status,
        {
          message: fault.status === 429 || fault.status === 403 ? 'API rate limit exceeded' : 'Server Error',
        },
        fault.headers,
      );
      return;
    }
    if (problems.length > 0) return send(422, { message: problems.join('; ') });
    this.route(method, url, body, request.headers, send);
  }

  /**
   * The OAuth web flow as GitHub runs it: the authorize page sends the signed-in person straight back
   * to `redirect_uri` with a code and the state; the code (once, with the app's secret and the same
   * `redirect_uri`) becomes a token; a bad one is a 200 with `error`, as on GitHub.
   */
  private oauth(method: string, url: URL, body: unknown, response: http.ServerResponse): void {
    const app = this.oauthApp;
    const record = (status: number, input: unknown) =>
      this.requests.push({
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: {},
        body: input,
        status,
      });
    if (method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const query = url.searchParams;
      const redirectUri = query.get('redirect_uri') ?? '';
      if (
        !app ||
        query.get('client_id') !== app.clientId ||
        !this.signedInLogin ||
        !/^https?:\/\//.test(redirectUri)
      ) {
        record(404, undefined);
        response
          .writeHead(404, { 'content-type': 'text/plain' })
          .end('Unknown OAuth application or nobody signed in');
        return;
      }
      const code = `code-${createHash('sha1').update(`${Math.random()}`).digest('hex').slice(0, 20)}`;
      this.codes.set(code, { login: this.signedInLogin, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', query.get('state') ?? '');
      record(302, undefined);
      response.writeHead(302, { location: back.href }).end();
      return;
    }
    if (method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, string>;
      const grant = this.codes.get(input.code);
      this.codes.delete(input.code);
      const answer =
        app &&
        input.client_id === app.clientId &&
        input.client_secret === app.clientSecret &&
        grant &&
        grant.redirectUri === input.redirect_uri
          ? { access_token: this.issueUserToken(grant.login), token_type: 'bearer', scope: '' }
          : {
              error: 'bad_verification_code',
              error_description: 'The code passed is incorrect or expired.',
              error_uri: 'https://docs.github.com/apps/oauth',
            };
      record(200, { ...input, client_secret: input.client_secret ? '[given]' : undefined });
      response
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify(answer));
      return;
    }
    record(404, body);
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
  }

  private issueUserToken(login: string): string {
    const token = `gho_standin${this.userTokens.size + 1}`;
    this.userTokens.set(token, login);
    this.userId(login);
    return token;
  }

  private route(
    method: string,
    url: URL,
    body: unknown,
    headers: http.IncomingHttpHeaders,
    send: (status: number, data?: unknown, headers?: Record<string, string>) => void,
  ): void {
    const input = (body ?? {}) as Record<string, unknown>;
    const conditional = (data: unknown) => {
      const etag = `"${createHash('sha1').update(JSON.stringify(data)).digest('hex')}"`;
      if (headers['if-none-match'] === etag) return send(304, undefined, { etag });
      send(200, data, { etag });
    };
    const token = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (token)
      return send(201, {
        token: `ghs_standin${token[1]}`,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      });
    if (url.pathname === '/user') {
      const token = /^(?:token|bearer) (.+)$/i.exec(String(headers.authorization ?? ''))?.[1];
      const login = token ? this.userTokens.get(token) : undefined;
      return login ? send(200, this.userShape(login)) : send(401, { message: 'Requires authentication' });
    }
    const user = /^\/user\/(\d+)$/.exec(url.pathname);
    if (user) {
      const login = [...this.users].find(([, id]) => id === Number(user[1]))?.[0];
      return login ? send(200, this.userShape(login)) : send(404, { message: 'Not Found' });
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(issues|commits)(?:\/(\d+))?(\/comments|\/assignees)?$/.exec(
      url.pathname,
    );
    if (!match) return send(404, { message: 'Not Found' });
    const name = `${match[1]}/${match[2]}`;
    const repository = this.repository(name);
    const webBase = `https://github.com/${name}`;
    if (match[3] === 'commits')
      return conditional(
        [...repository.commits].reverse().map((c) => ({
          sha: c.sha,
          html_url: `${webBase}/commit/${c.sha}`,
          commit: { message: c.message },
        })),
      );
    const shape = (issue: StandInIssue) => ({
      id: issue.number * 7,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      state_reason: issue.state_reason,
      labels: issue.labels.map((l) => ({ name: l })),
      assignees: (issue.assignees ?? []).map((login) => this.userShape(login)),
      html_url: `${webBase}/issues/${issue.number}`,
    });
    if (!match[4]) {
      const issue: StandInIssue = {
        number: repository.issues.length + 1,
        title: String(input.title),
        body: String(input.body ?? ''),
        state: 'open',
        state_reason: null,
        labels: (input.labels as string[] | undefined) ?? [],
        assignees: (input.assignees as string[] | undefined) ?? [],
        comments: [],
      };
      repository.issues.push(issue);
      return send(201, shape(issue));
    }
    const issue = repository.issues.find((i) => i.number === Number(match[4]));
    if (!issue) return send(404, { message: 'Not Found' });
    const commentShape = (c: StandInIssue['comments'][number]) => ({
      id: c.id,
      body: c.body,
      user: this.userShape(c.login),
      html_url: `${webBase}/issues/${issue.number}#issuecomment-${c.id}`,
    });
    if (match[5] === '/assignees') {
      // GitHub ignores logins it doesn't know (here: never seen) rather than failing.
      const named = ((input.assignees as string[] | undefined) ?? []).filter((l) => this.users.has(l));
      const kept = (issue.assignees ?? []).filter((l) => !named.includes(l));
      issue.assignees = method === 'POST' ? [...kept, ...named] : kept;
      return send(method === 'POST' ? 201 : 200, shape(issue));
    }
    if (match[5]) {
      if (method === 'GET') return conditional(issue.comments.map(commentShape));
      const comment = { id: this.nextCommentId++, body: String(input.body), login: 'faultline[bot]' };
      issue.comments.push(comment);
      return send(201, commentShape(comment));
    }
    if (method === 'PATCH') {
      if (input.state === 'closed' || input.state === 'open') {
        issue.state = input.state;
        issue.state_reason =
          input.state === 'closed' ? String(input.state_reason ?? 'completed') : 'reopened';
      }
      return send(200, shape(issue));
    }
    return conditional(shape(issue));
  }
}
