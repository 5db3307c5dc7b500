import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ok, type FaultlineClient, type paths } from '@faultline/api-client';
import type { PostedCard } from '@faultline/extension-slack';
import type { SlackStandIn } from '@faultline/extension-slack/testing';
import type { BootstrapResult } from '../../core/src/accounts';
import { ApiClient, waitFor } from './api';
import type { Knex } from './database';
import type { Stack } from './stack';

/**
 * The headers of a request as Slack signs it: `v0=` HMAC-SHA256 over `v0:<timestamp>:<body>` with
 * the app's signing secret (the timestamp now unless given).
 */
export function slackSignedHeaders(
  body: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': `v0=${signature}`,
  };
}

/** The form body of `/faultline <text>` typed by `user` in `team`'s #oncall, as Slack posts it. */
export function slashCommandBody(command: {
  team: string;
  user: string;
  text: string;
  responseUrl: string;
  channel?: string;
}): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: command.team,
    team_domain: 'standin',
    channel_id: command.channel ?? 'C0ONCALL',
    channel_name: 'oncall',
    user_id: command.user,
    user_name: command.user.toLowerCase(),
    command: '/faultline',
    text: command.text,
    api_app_id: 'A0FAULTLINE',
    response_url: command.responseUrl,
    trigger_id: '1.2.3',
  }).toString();
}

/** Posts `body` to the Slack app's request URL at `appUrl`, signed with `secret` as Slack does. */
export function postToSlackApp(appUrl: string, body: string, secret: string): Promise<Response> {
  return fetch(`${appUrl}/slack/events`, { method: 'POST', headers: slackSignedHeaders(body, secret), body });
}

/** The first answer the command's response URL got after the stand-in's call number `since`. */
export function answerAfter(slack: SlackStandIn, since: number) {
  return waitFor('the command answer', async () =>
    slack.calls.slice(since).find((call) => call.method === 'response_url'),
  );
}

/**
 * `/faultline <text>` typed in Slack, signed with `secret` and posted to the app at `appUrl`, which
 * must take it (200); resolves with what the command answered through the response URL.
 */
export async function slashCommandAnswer(
  slack: SlackStandIn,
  appUrl: string,
  secret: string,
  command: Omit<Parameters<typeof slashCommandBody>[0], 'responseUrl'>,
) {
  const since = slack.calls.length;
  const body = slashCommandBody({ ...command, responseUrl: slack.responseUrl });
  assert.equal((await postToSlackApp(appUrl, body, secret)).status, 200);
  return answerAfter(slack, since);
}

/**
 * A `block_actions` payload of a click by `user` on a card's button (its value the issue id), as
 * Slack sends it: form-encoded to the request URL, or inside a Socket Mode envelope.
 */
export function cardClickPayload(actionId: string, issueId: string, user: string, card: PostedCard) {
  return {
    type: 'block_actions',
    team: { id: card.team, domain: 'standin' },
    user: { id: user, username: user.toLowerCase(), team_id: card.team },
    api_app_id: 'A0FAULTLINE',
    token: 'legacy-verification-token',
    trigger_id: '1.2.3',
    container: { type: 'message', message_ts: card.ts, channel_id: card.channel, is_ephemeral: false },
    channel: { id: card.channel, name: 'oncall' },
    message: { type: 'message', ts: card.ts, text: 'card' },
    response_url: 'https://hooks.slack.invalid/actions/1',
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'faultline_actions_0',
        value: issueId,
        action_ts: '1.0',
      },
    ],
  };
}

/**
 * Links a Slack user to the bootstrapped admin, as confirming the link page would (the
 * confirmation itself is tested in core's linked-accounts tests).
 */
export async function linkSlackUserToAdmin(
  knex: Knex,
  setup: BootstrapResult,
  identity: { team: string; user: string },
): Promise<void> {
  const org = await knex('organizations').where({ slug: setup.organization }).first('id');
  const admin = await knex('users').where({ email: setup.user }).first('id');
  await knex('external_identities').insert({
    organization_id: org.id,
    provider: 'slack',
    external_workspace_id: identity.team,
    external_user_id: identity.user,
    user_id: admin.id,
  });
}

type TokenScopes =
  paths['/api/0/organizations/{organization}/org-auth-tokens/']['post']['requestBody']['content']['application/json']['scopes'];

/**
 * An organization token issued to client `slack` with `scopes`, made through the API by the admin of
 * `setup` (the stack's bootstrapped organization unless given).
 */
export async function slackIntegrationToken(
  stack: Stack,
  scopes: TokenScopes,
  setup: BootstrapResult = stack.setup,
): Promise<string> {
  const api = setup === stack.setup ? stack.api : new ApiClient(stack.baseUrl, setup.token);
  const made = await ok(
    api.client.POST('/api/0/organizations/{organization}/org-auth-tokens/', {
      params: { path: { organization: setup.organization } },
      body: { name: 'Slack', client: 'slack', scopes },
    }),
  );
  return made.token;
}

/**
 * Restarts the stack with the Slack app inside `faultline start` (`env`: the Slack settings of the
 * mode under test), acting through the API with a new integration token of `scopes` for the
 * bootstrapped organization.
 */
export async function restartWithSlackApp(
  stack: Stack,
  scopes: TokenScopes,
  env: Record<string, string>,
): Promise<void> {
  const token = await slackIntegrationToken(stack, scopes);
  await stack.server.stop();
  await stack.restart({ SLACK_FAULTLINE_TOKEN: token, SLACK_ORGANIZATION: stack.setup.organization, ...env });
}

/** Turns the Slack plugin on for the organization (with `config` when given), as its admin does. */
export async function enableSlackPlugin(
  api: FaultlineClient,
  organization: string,
  config?: Record<string, unknown>,
): Promise<void> {
  await ok(
    api.PUT('/api/0/organizations/{organization}/plugins/{pluginId}/', {
      params: { path: { organization, pluginId: 'slack' } },
      body: { enabled: true, ...(config ? { config } : {}) },
    }),
  );
}
