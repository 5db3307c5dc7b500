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
