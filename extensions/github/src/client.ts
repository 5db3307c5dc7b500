import { Octokit } from '@octokit/rest';
import { createAppAuth } from '@octokit/auth-app';
import { PluginError, type HttpClient } from '@faultline/plugin-sdk';
import type { GitHubConfig } from './config';

/** Statuses a response may not carry a body with (the Fetch standard's `Response` refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A `fetch` for Octokit that goes through the host's HTTP client, so GitHub is reached under the
 * installation's SSRF guard and timeouts like any other plugin request (a GitHub Enterprise Server
 * on the internal network needs `PLUGINS_ALLOW_PRIVATE_NETWORKS`).
 */
export function hostFetch(http: HttpClient): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const answer = await http.fetch(url, { method: init?.method ?? 'GET', headers, body, timeoutMs: 20_000 });
    const text = NULL_BODY.has(answer.status) ? null : await answer.text();
    return new Response(text, { status: answer.status, headers: answer.headers });
  };
}

/**
 * An Octokit for the config in effect: as the GitHub App's installation (tokens minted and renewed by
 * `@octokit/auth-app`) or with a personal access token. Throws `github_not_configured` without either.
 */
export function octokitFor(config: GitHubConfig, http: HttpClient): Octokit {
  const common = octokitOptions(config, http);
  if (config.app && config.privateKey)
    return new Octokit({
      ...common,
      authStrategy: createAppAuth,
      auth: {
        appId: config.app.appId,
        privateKey: config.privateKey,
        installationId: config.app.installationId,
      },
    });
  if (config.token) return new Octokit({ ...common, auth: config.token });
  throw new PluginError('The GitHub plugin needs a token or a GitHub App (app and privateKey)', {
    code: 'github_not_configured',
  });
}

/**
 * An Octokit acting as a GitHub user with their OAuth token (`token`), or as nobody: for the
 * "Connect GitHub" web flow, which runs before and apart from the plugin's own credentials.
 */
export function userOctokit(config: GitHubConfig, http: HttpClient, token?: string): Octokit {
  return new Octokit({ ...octokitOptions(config, http), ...(token ? { auth: token } : {}) });
}

function octokitOptions(config: GitHubConfig, http: HttpClient) {
  return {
    baseUrl: config.baseUrl.replace(/\/+$/, ''),
    userAgent: 'faultline-github',
    request: { fetch: hostFetch(http) },
    // Octokit's own logging would go to the console; failures reach the host as thrown errors.
    log: { debug() {}, info() {}, warn() {}, error() {} },
  };
}

interface OctokitFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/**
 * How long GitHub asks us to wait, in seconds, when `error` is a rate limit answer (429, or 403 with
 * `retry-after` or an exhausted `x-ratelimit-remaining`): undefined for any other error.
 */
export function rateLimitWait(error: unknown, now = Date.now()): number | undefined {
  const failure = error as OctokitFailure;
  if (failure?.status !== 403 && failure?.status !== 429) return undefined;
  const headers = failure.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter;
  const reset = Number(headers['x-ratelimit-reset']);
  if (String(headers['x-ratelimit-remaining']) === '0' && Number.isFinite(reset))
    return Math.max(0, Math.ceil(reset - now / 1000));
  // A 429, or a 403 that says "secondary rate limit" without headers: GitHub asks for a minute.
  if (failure.status === 429 || /rate limit/i.test(failure.message ?? '')) return 60;
  return undefined;
}

/**
 * A GitHub failure as the plugin reports it. Rate limits and server errors are retryable: the hook or
 * alert job that threw is retried with the job queue's backoff, so no sync is lost. Others (404: no
 * such repository or issue, 401: bad credentials, 422: invalid input) would fail again.
 */
export function gitHubError(error: unknown, doing: string): PluginError {
  if (error instanceof PluginError) return error;
  const failure = error as OctokitFailure;
  const wait = rateLimitWait(error);
  if (wait !== undefined)
    return new PluginError(`GitHub rate limit while ${doing}; retry in ${wait} s`, {
      code: 'github_rate_limited',
      cause: error,
    });
  const status = failure?.status;
  const detail = failure?.message ?? String(error);
  return new PluginError(`GitHub ${status ?? 'request'} failed while ${doing}: ${detail}`, {
    code: status === undefined || status >= 500 ? 'github_unavailable' : `github_${status}`,
    cause: error,
  });
}

/** Runs a GitHub call, turning its failure into the plugin's `PluginError` (see `gitHubError`). */
export async function github<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw gitHubError(error, doing);
  }
}
