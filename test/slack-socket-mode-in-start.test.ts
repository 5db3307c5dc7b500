import assert from 'node:assert/strict';
import { ok } from '@faultline/api-client';
import { CARD_ACTIONS, cardKey, type PostedCard } from '@faultline/extension-slack';
import { startSlackStandIn, type SlackStandIn } from '@faultline/extension-slack/testing';
import { WebSocketServer, type WebSocket } from 'ws';
import { isPostgresReachable } from '../core/src/testing/databases';
import { waitFor } from './support/api';
import { freePort } from './support/server';
import { cardClickPayload, linkSlackUserToAdmin, restartWithSlackApp } from './support/slack';
import { reportIssue, startStack, type Stack } from './support/stack';

const BOT_TOKEN = 'xoxb-socket-in-start-0123456789';
const APP_TOKEN = 'xapp-1-socket-in-start';
const TEAM = 'T0STANDIN';
const ADA = 'U0ADA';
const CARD: PostedCard = { team: TEAM, channel: 'C0ONCALL', ts: '1700000000.000042' };

/**
 * Issue 14: with an app token, `faultline start` runs the Slack app over Socket Mode (no public URL,
 * no signing secret). Slack being unreachable when it starts doesn't stop it: it says so in its log
 * and keeps trying with growing waits, and once Slack answers, Slack's messages arrive on the
 * WebSocket and card sync brings the cards up to date, with no restart.
 */
describe('the Slack app over Socket Mode inside faultline start, Slack down at start-up [postgres]', function () {
  this.timeout(180_000);
  let stack: Stack;
  let slackPort: number;
  let slack: SlackStandIn | undefined;
  let sockets: WebSocketServer | undefined;
  let issueId: string;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    slackPort = await freePort();
    stack = await startStack('postgres', {
      // Ada's Slack account linked to the admin, as confirmed on the link page (tested elsewhere).
      prepare: (knex, setup) => linkSlackUserToAdmin(knex, setup, { team: TEAM, user: ADA }),
    });
    // An issue with a card posted of it (as the Slack plugin records one), before Slack goes away.
    issueId = await reportIssue(stack, { message: 'Socket Mode card', fingerprint: ['socket-mode-card'] });
    await stack.target.withKnex((knex) =>
      knex('issue_external_links').insert({
        issue_id: Number(issueId),
        plugin_id: 'slack',
        key: cardKey(CARD),
        url: 'https://standin.slack.com/archives/C0ONCALL/p1700000000000042',
      }),
    );
    // Nothing listens at SLACK_API_URL yet: Slack is unreachable.
    await restartWithSlackApp(stack, ['org:read', 'project:read', 'event:read', 'event:write'], {
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
    });
  });

  after(async () => {
    await stack?.dispose();
    sockets?.close();
    await slack?.close();
  });

  const issueStatus = async () =>
    (await ok(stack.api.client.GET('/api/0/issues/{issue}/', { params: { path: { issue: issueId } } })))
      .status;

  it('starts while Slack is unreachable, and says so', async () => {
    assert.ok(stack.server.isRunning);
    assert.equal((await fetch(`${stack.baseUrl}/api/0/`)).status < 500, true);
    await waitFor('the log line', async () =>
      /reaching Slack \(auth\.test\) failed; retrying/.test(stack.server.output()) ? true : undefined,
    );
  });

  it('recovers once Slack is up: a click over the WebSocket is done, and the card follows', async () => {
    sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => sockets!.once('listening', resolve));
    // Slack greets each connection with `hello`.
    const connected = new Promise<WebSocket>((resolve) =>
      sockets!.once('connection', (socket) => {
        socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'standin' } }));
        resolve(socket);
      }),
    );
    slack = await startSlackStandIn({ token: [BOT_TOKEN, APP_TOKEN], team: TEAM, port: slackPort });
    slack.socketUrl = `ws://127.0.0.1:${(sockets.address() as { port: number }).port}/link`;

    const socket = await connected;
    assert.ok(
      slack.calls.some((call) => call.method === 'apps.connections.open' && call.token === APP_TOKEN),
    );
    const acked = new Promise<string>((resolve) =>
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { envelope_id?: string };
        if (message.envelope_id) resolve(message.envelope_id);
      }),
    );
    socket.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'interactive',
        accepts_response_payload: false,
        payload: cardClickPayload(CARD_ACTIONS.resolve, issueId, ADA, CARD),
      }),
    );
    assert.equal(await acked, 'env-1');
    await waitFor('the issue resolved over Socket Mode', async () =>
      (await issueStatus()) === 'resolved' ? true : undefined,
    );

    // Card sync runs now that Slack answered: a change made through the API reaches the card.
    await ok(
      stack.api.client.PUT('/api/0/issues/{issue}/', {
        params: { path: { issue: issueId } },
        body: { status: 'ignored' },
      }),
    );
    await waitFor('the card updated', async () =>
      slack!.calls.find(
        (call) =>
          call.method === 'chat.update' &&
          call.answer.ok === true &&
          call.args.ts === CARD.ts &&
          JSON.stringify(call.args.blocks).includes('Archived through api'),
      ),
    );
    assert.ok(slack.accepted('auth.test').length >= 1);
  });

  it('serves no /slack/events route in Socket Mode (nothing to sign, nothing to forge)', async () => {
    const res = await fetch(`${stack.baseUrl}/slack/events`, { method: 'POST', body: 'payload=%7B%7D' });
    assert.notEqual(res.status, 200);
  });
});
