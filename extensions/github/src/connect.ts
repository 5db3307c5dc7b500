import { randomBytes } from 'node:crypto';
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from '@octokit/oauth-methods';
import type { PluginRequest, PluginResponse } from '@faultline/plugin-sdk';
import { github, userOctokit } from './client';
import { configSchema, type GitHubConfig } from './config';
import type { Services } from './context';
import { webUrlOf } from './source-links';

/**
 * "Connect GitHub": a person signed in to Faultline links their GitHub account through GitHub's OAuth
 * web flow (an OAuth app, or a GitHub App's user authorization). The plugin's routes send them to
 * GitHub's authorize page with a `state` bound to them; GitHub sends them back with a code, which is
 * exchanged for a token that tells who they are on GitHub (`GET /user`); that identity is linked to
 * them through the platform's linked accounts. The token is used for that one call and not kept.
 */

export const CONNECT_PATH = '/connect';
export const CALLBACK_PATH = '/connect/callback';

/** How long GitHub's authorize page may take: the state expires after that. */
const STATE_TTL_MS = 10 * 60_000;
const STATE_PREFIX = 'connect-state:';
/** Where people manage their links in the web UI; the flow starts and ends there. */
const LINKED_ACCOUNTS_PAGE = '/settings/account/linked-accounts/';

/** A started connection, stored under its state until GitHub sends the person back (once). */
interface PendingConnection {
  userId: string;
  organization: string;
  expiresAt: number;
}

/** The URL GitHub sends people back to: register it as the OAuth app's (or GitHub App's) callback URL. */
export function callbackUrl(publicUrl: string): string {
  return `${publicUrl}/api/0/plugins/github${CALLBACK_PATH}`;
}

/** `GET /connect?organization=SLUG`: to GitHub's authorize page, with a fresh single-use state. */
export async function startConnect(services: Services, request: PluginRequest): Promise<PluginResponse> {
  const config = configSchema.parse(services.config.value);
  if (!config.oauthClientId)
    return page(
      404,
      'Connecting GitHub accounts is not set up',
      'An administrator of this Faultline sets the GitHub plugin’s oauthClientId and oauthClientSecret (see the plugin’s README) to offer it.',
    );
  const organization = request.query.organization ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(organization))
    return page(
      400,
      'No organization named',
      'Connect GitHub from your linked accounts, which names the organization.',
    );
  if (!request.signedIn) return signInFirst(request);
  await pruneExpiredStates(services);
  const state = randomBytes(24).toString('base64url');
  const pending: PendingConnection = {
    userId: request.signedIn.userId,
    organization,
    expiresAt: Date.now() + STATE_TTL_MS,
  };
  await services.storage.set(STATE_PREFIX + state, pending);
  const { url } = getWebFlowAuthorizationUrl({
    clientType: 'oauth-app',
    clientId: config.oauthClientId,
    redirectUrl: callbackUrl(request.publicUrl),
    state,
    // GET /user needs no scope; nobody should create a GitHub account on the way.
    scopes: [],
    allowSignup: false,
    request: userOctokit(config, services.http).request,
  });
  return { status: 302, headers: { location: url } };
}

/** `GET /connect/callback?code&state` (or `?error`): GitHub sent the person back. */
export async function finishConnect(services: Services, request: PluginRequest): Promise<PluginResponse> {
  const config = configSchema.parse(services.config.value);
  const { state, code, error } = request.query;
  const pending = state ? await takeState(services, state) : undefined;
  if (!pending)
    return page(
      400,
      'This GitHub connection is unknown or was already used',
      'Start again with Connect GitHub on your linked accounts.',
    );
  if (pending.expiresAt < Date.now())
    return page(
      400,
      'This GitHub connection expired',
      'Start again with Connect GitHub on your linked accounts.',
    );
  if (!request.signedIn) return signInFirst(request);
  if (request.signedIn.userId !== pending.userId)
    return page(
      403,
      'This GitHub connection was started by another Faultline account',
      'Sign in with the account that started it, or start again with Connect GitHub.',
    );
  if (error || !code)
    return page(
      400,
      'GitHub did not authorize the connection',
      request.query.error_description ?? error ?? 'GitHub sent no code.',
    );
  if (!config.oauthClientId || !config.oauthClientSecret)
    return page(
      404,
      'Connecting GitHub accounts is not set up',
      'The GitHub plugin has no oauthClientId any more.',
    );

  let gitHubUser: { login: string; id: number };
  try {
    gitHubUser = await whoAuthorized(services, config, code, callbackUrl(request.publicUrl));
  } catch (failure) {
    services.logger.warn('github connect failed', { error: String(failure) });
    const refused = (failure as { code?: string }).code === 'github_400';
    return page(
      refused ? 400 : 502,
      refused ? 'GitHub refused the authorization code' : 'GitHub could not be reached',
      refused
        ? 'The code expired or was used already: start again with Connect GitHub.'
        : 'Try again in a moment.',
    );
  }
  try {
    await services.linkedAccounts.linkSignedInUser(request.signedIn, {
      organization: pending.organization,
      // GitHub user ids are unique on their GitHub host (github.com or a GitHub Enterprise Server).
      workspaceId: new URL(webUrlOf(config.baseUrl)).hostname,
      externalUserId: String(gitHubUser.id),
    });
  } catch (failure) {
    const code = (failure as { code?: string }).code;
    const status = code === 'identity_linked_elsewhere' ? 409 : code === 'not_a_member' ? 403 : 400;
    return page(
      status,
      `GitHub account @${gitHubUser.login} was not linked`,
      String((failure as Error).message),
    );
  }
  services.logger.info('github account connected', {
    user: pending.userId,
    organization: pending.organization,
    login: gitHubUser.login,
  });
  return { status: 303, headers: { location: `${request.publicUrl}${LINKED_ACCOUNTS_PAGE}` } };
}

/** The GitHub user who authorized: the code exchanged for their token, then `GET /user` with it. */
async function whoAuthorized(
  services: Services,
  config: GitHubConfig,
  code: string,
  redirectUrl: string,
): Promise<{ login: string; id: number }> {
  const { authentication } = await github('exchanging the authorization code', () =>
    exchangeWebFlowCode({
      clientType: 'oauth-app',
      clientId: config.oauthClientId!,
      clientSecret: config.oauthClientSecret!,
      code,
      redirectUrl,
      request: userOctokit(config, services.http).request,
    }),
  );
  const { data } = await github('asking GitHub who authorized', () =>
    userOctokit(config, services.http, authentication.token).rest.users.getAuthenticated(),
  );
  return { login: data.login, id: data.id };
}

/** The state's connection, removed so it serves once (the delete that removes it wins a race). */
async function takeState(services: Services, state: string): Promise<PendingConnection | undefined> {
  const key = STATE_PREFIX + state;
  const pending = await services.storage.get<PendingConnection>(key);
  if (!pending || !(await services.storage.delete(key))) return undefined;
  return pending;
}

/** Connections never finished leave their state behind: dropped once expired. */
async function pruneExpiredStates(services: Services): Promise<void> {
  const now = Date.now();
  for (const key of await services.storage.keys(STATE_PREFIX)) {
    const pending = await services.storage.get<PendingConnection>(key);
    if (!pending || pending.expiresAt < now) await services.storage.delete(key);
  }
}

function signInFirst(request: PluginRequest): PluginResponse {
  const signIn = `${request.publicUrl}/auth/login?next=${encodeURIComponent(LINKED_ACCOUNTS_PAGE)}`;
  return page(401, 'Sign in to Faultline first', 'Then connect GitHub from your linked accounts.', {
    href: signIn,
    text: 'Sign in',
  });
}

/**
 * A small page in words (plugin routes may serve no script or style): what happened and what to do.
 */
function page(
  status: number,
  title: string,
  detail: string,
  link?: { href: string; text: string },
): PluginResponse {
  const anchor = link ? `<p><a href="${escape(link.href)}">${escape(link.text)}</a></p>` : '';
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(detail)}</p>${anchor}</body></html>`,
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
