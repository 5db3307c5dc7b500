import { createHmac } from 'node:crypto';
import { ok, type paths } from '@faultline/api-client';
import type { PostedCard } from '@faultline/extension-slack';
import type { BootstrapResult } from '../../core/src/accounts';
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

/** An organization token issued to client `slack` with `scopes`, made through the API by the admin. */
export async function slackIntegrationToken(stack: Stack, scopes: TokenScopes): Promise<string> {
  const made = await ok(
    stack.api.client.POST('/api/0/organizations/{organization}/org-auth-tokens/', {
      params: { path: { organization: stack.setup.organization } },
      body: { name: 'Slack', client: 'slack', scopes },
    }),
  );
  return made.token;
}
