import assert from 'node:assert/strict';
import { ok } from '@faultline/api-client';
import { cardKey, type PostedCard } from '@faultline/extension-slack';
import { startSlackStandIn, type SlackStandIn } from '@faultline/extension-slack/testing';
import { startSlackApp, type RunningSlackApp } from '@faultline/slack-app';
import { WebSocketServer, type WebSocket } from 'ws';
import { isPostgresReachable } from '../core/src/testing/databases';
import { waitFor } from './support/api';
import {
  answerAfter,
  linkSlackUserToAdmin,
  postToSlackApp,
  restartWithSlackApp,
  slackIntegrationToken,
  slashCommandBody,
} from './support/slack';
import { reportIssue, startStack, type Stack } from './support/stack';

const SIGNING_SECRET = 'oauth-signing-secret';
const CLIENT = { clientId: '1234.5678', clientSecret: 'oauth-client-secret' };
const STATE_SECRET = 'oauth-state-secret-0123456789';
/** Two workspaces install the app; each gets its own bot token. */
const INSTALLS = [
  { code: 'code-for-acme-eng', team: 'T0ENG', token: 'xoxb-installed-eng' },
  { code: 'code-for-acme-ops', team: 'T0OPS', token: 'xoxb-installed-ops' },
];
const ADA = 'U0ADA';
const APP_TOKEN = 'xapp-1-oauth-socket-mode';

/**
 * Where the app runs: on its own (its own port), inside `faultline start` (Faultline's port), or
 * inside it over Socket Mode (Slack's requests on a WebSocket; the OAuth pages still on Faultline's
 * port, as Slack's redirect needs an HTTP page).
 */
type Where = 'standalone' | 'faultline start' | 'faultline start over Socket Mode';
const WHERE: Where[] = ['standalone', 'faultline start', 'faultline start over Socket Mode'];

/** Slack's Socket Mode endpoint as a local stand-in: greets the app, acknowledges nothing itself. */
async function socketModeStandIn(slack: SlackStandIn) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const connected = new Promise<WebSocket>((resolve) =>
    server.once('connection', (socket) => {
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'standin' } }));
      resolve(socket);
    }),
  );
  slack.socketUrl = `ws://127.0.0.1:${(server.address() as { port: number }).port}/link`;
  return { server, connected };
}

/**
 * Issue 14: several workspaces through Slack's OAuth install flow, driven through the real
 * @slack/oauth InstallProvider in Bolt's receiver: /slack/install sends the admin on to Slack with a
 * signed state, Slack (the stand-in) sends them back with a code, `oauth.v2.access` exchanges it and
 * the installation is stored in Faultline through the API (sealed there). Requests from each
 * workspace are then authorized from that store, and card sync updates each workspace's cards
 * with its own token.
 */
for (const where of WHERE)
  describe(`the Slack app installed in several workspaces through OAuth, ${where} [postgres]`, function () {
    this.timeout(180_000);
    let stack: Stack;
    let slack: SlackStandIn;
    let app: RunningSlackApp | undefined;
    let socketMode: { server: WebSocketServer; socket: WebSocket } | undefined;
    /** Where the app's pages answer. */
    let appUrl: string;
    let issueId: string;

    before(async function () {
      if (!(await isPostgresReachable())) this.skip();
      slack = await startSlackStandIn({ token: [APP_TOKEN], oauth: { ...CLIENT, installs: INSTALLS } });
      stack = await startStack('postgres', {
        prepare: (knex, setup) => linkSlackUserToAdmin(knex, setup, { team: 'T0OPS', user: ADA }),
      });
      // org:write: installing connects a workspace to the organization.
      const scopes = ['org:read', 'org:write', 'project:read', 'event:read'] as const;
      const oauth = {
        SLACK_CLIENT_ID: CLIENT.clientId,
        SLACK_CLIENT_SECRET: CLIENT.clientSecret,
        SLACK_STATE_SECRET: STATE_SECRET,
        SLACK_API_URL: slack.url,
      };
      if (where === 'standalone') {
        app = await startSlackApp(
          {
            FAULTLINE_URL: stack.baseUrl,
            FAULTLINE_TOKEN: await slackIntegrationToken(stack, [...scopes]),
            FAULTLINE_ORGANIZATION: stack.setup.organization,
            SLACK_SIGNING_SECRET: SIGNING_SECRET,
            ...oauth,
            SLACK_PORT: 0,
          },
          (message, fields) => process.env.SLACK_E2E_LOG && console.log(message, fields),
        );
        appUrl = app.url!;
        return;
      }
      const sockets = where === 'faultline start' ? undefined : await socketModeStandIn(slack);
      await restartWithSlackApp(stack, [...scopes], {
        ...(sockets ? { SLACK_APP_TOKEN: APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
        ...oauth,
      });
      appUrl = stack.baseUrl;
      if (sockets) socketMode = { server: sockets.server, socket: await sockets.connected };
    });

    after(async () => {
      await app?.stop();
      await stack?.dispose();
      socketMode?.server.close();
      await slack?.close();
    });

    /** What an admin's browser does: open /slack/install, consent on Slack, come back with the code. */
    async function install(code: string, options: { state?: string } = {}) {
      const started = await fetch(`${appUrl}/slack/install`, { redirect: 'manual' });
      assert.equal(started.status, 302);
      const consent = new URL(started.headers.get('location')!);
      assert.equal(consent.searchParams.get('client_id'), CLIENT.clientId);
      assert.match(consent.searchParams.get('scope') ?? '', /chat:write/);
      const state = options.state ?? consent.searchParams.get('state')!;
      const cookie = started.headers.get('set-cookie')!.split(';')[0];
      return fetch(`${appUrl}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`, {
        headers: { Cookie: cookie },
        redirect: 'manual',
      });
    }

    const installed = (workspace: string) =>
      stack.api.client.GET('/api/0/organizations/{organization}/integration-installations/{workspace}/', {
        params: { path: { organization: stack.setup.organization, workspace } },
      });

    it('stores each workspace that installs the app in Faultline, its token sealed', async () => {
      for (const { code } of INSTALLS) assert.equal((await install(code)).status, 200);
      assert.equal(slack.accepted('oauth.v2.access').length, 2);
      const rows = await stack.target.withKnex((knex) =>
        knex('integration_installations').orderBy('external_workspace_id').select('*'),
      );
      assert.deepEqual(
        rows.map((row: { external_workspace_id: string }) => row.external_workspace_id),
        ['T0ENG', 'T0OPS'],
      );
      for (const row of rows as { installation_sealed: string }[])
        assert.ok(!row.installation_sealed.includes('xoxb-'), 'no token in the clear');
      // The admin's own token can't read them: only the integration's.
      const byAdmin = await installed('T0ENG');
      assert.equal(byAdmin.response.status, 403);
    });

    it('refuses a redirect whose state was not the one it signed, storing nothing', async () => {
      const forged = await install('code-for-acme-eng', { state: 'forged-state' });
      assert.notEqual(forged.status, 200);
      assert.equal(slack.accepted('oauth.v2.access').length, 2, 'the code was not exchanged');
    });

    it("answers a signed request from an installed workspace with that workspace's token", async () => {
      const body = slashCommandBody({
        team: 'T0OPS',
        user: ADA,
        text: 'help',
        responseUrl: slack.responseUrl,
      });
      const since = slack.calls.length;
      if (socketMode)
        // Over Socket Mode the same command arrives on the WebSocket, its fields as JSON.
        socketMode.socket.send(
          JSON.stringify({
            envelope_id: 'env-help',
            type: 'slash_commands',
            accepts_response_payload: true,
            payload: Object.fromEntries(new URLSearchParams(body)),
          }),
        );
      else assert.equal((await postToSlackApp(appUrl, body, SIGNING_SECRET)).status, 200);
      await answerAfter(slack, since);
    });

    it("keeps each workspace's cards true with that workspace's bot token", async () => {
      issueId = await reportIssue(stack, { message: 'OAuth card', fingerprint: ['oauth-card'] });
      const cards: PostedCard[] = INSTALLS.map(({ team }, i) => ({
        team,
        channel: 'C0ONCALL',
        ts: `1700000000.00010${i}`,
      }));
      // The cards as the Slack plugin records them on the issue, plus one of a workspace not installed.
      await stack.target.withKnex((knex) =>
        knex('issue_external_links').insert(
          [...cards, { team: 'T0ELSEWHERE', channel: 'C0X', ts: '1700000000.000999' }].map((card) => ({
            issue_id: Number(issueId),
            plugin_id: 'slack',
            key: cardKey(card),
            url: `https://standin.slack.com/archives/${card.channel}/p${card.ts.replace('.', '')}`,
          })),
        ),
      );
      await ok(
        stack.api.client.PUT('/api/0/issues/{issue}/', {
          params: { path: { issue: issueId } },
          body: { status: 'resolved' },
        }),
      );
      for (const [i, card] of cards.entries()) {
        const update = await waitFor(`the card in ${card.team}`, async () =>
          slack.calls.find(
            (call) => call.method === 'chat.update' && call.answer.ok === true && call.args.ts === card.ts,
          ),
        );
        assert.equal(update.token, INSTALLS[i].token);
      }
      assert.ok(
        !slack.calls.some((call) => call.method === 'chat.update' && call.args.ts === '1700000000.000999'),
      );
    });
  });
