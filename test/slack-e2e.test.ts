import assert from 'node:assert/strict';
import path from 'node:path';
import { ok } from '@faultline/api-client';
import { CARD_ACTIONS, type PostedCard } from '@faultline/extension-slack';
import { startSlackStandIn, type RecordedCall, type SlackStandIn } from '@faultline/extension-slack/testing';
import { startSlackApp, type RunningSlackApp, type SlackAppSettings } from '@faultline/slack-app';
import { WebSocketServer, type WebSocket } from 'ws';
import { AccountsRepository } from '../core/src/accounts';
import { isPostgresReachable } from '../core/src/testing/databases';
import { waitFor } from './support/api';
import { ChildApp } from './support/child-app';
import {
  answerAfter,
  cardClickPayload,
  enableSlackPlugin,
  slackSignedHeaders,
  slashCommandBody,
} from './support/slack';
import { startStack, type Stack } from './support/stack';

const BOT_TOKEN = 'xoxb-e2e-0123456789';
const SIGNING_SECRET = 'e2e-slack-signing-secret';
const APP_TOKEN = 'xapp-1-e2e-socket-mode';
const TICKETER = path.join(__dirname, 'support', 'plugins', 'ticketer');
const FILE_TICKET = `${CARD_ACTIONS.issueAction}:ticketer:file-ticket`;
const TEAM = 'T0STANDIN';
const CHANNEL = 'C0ONCALL';
/** Slack users: Ada is linked to the admin, Bill to a billing member (no event:write); Nobody to no one. */
const ADA = 'U0ADA';
const BILL = 'U0BILL';
const NOBODY = 'U0NOBODY';

/** A request signed as Slack signs it, with the app's signing secret unless told another. */
function signedHeaders(
  body: string,
  options: { secret?: string; timestamp?: number } = {},
): Record<string, string> {
  return slackSignedHeaders(body, options.secret ?? SIGNING_SECRET, options.timestamp);
}

/** A click on a card's button, form-encoded as Slack posts it to the request URL. */
function clickBody(actionId: string, issueId: string, user: string, card: PostedCard): string {
  return `payload=${encodeURIComponent(JSON.stringify(cardClickPayload(actionId, issueId, user, card)))}`;
}

/**
 * The Slack app end to end through the real protocols: an unmodified @sentry/node app reports an
 * error to a real `faultline start`; a rule with the Slack action posts the card to the Web API
 * stand-in; signed clicks go into Bolt's HTTP receiver; the card follows the issue from the change
 * stream, also after the app was down.
 */
describe('slack app end to end [postgres]', function () {
  this.timeout(180_000);
  let stack: Stack;
  let slack: SlackStandIn;
  let app: RunningSlackApp | undefined;
  let appToken: string;
  let card: PostedCard;
  let issueId: string;

  const startApp = async (more: Partial<SlackAppSettings> = {}) =>
    startSlackApp(
      {
        FAULTLINE_URL: stack.baseUrl,
        FAULTLINE_TOKEN: appToken,
        FAULTLINE_ORGANIZATION: stack.setup.organization,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_API_URL: slack.url,
        SLACK_PORT: 0,
        ...more,
      },
      (message, fields) => process.env.SLACK_E2E_LOG && console.log(message, fields),
    );

  const click = (
    actionId: string,
    user: string,
    options: Parameters<typeof signedHeaders>[1] = {},
    issue = issueId,
  ) => {
    const body = clickBody(actionId, issue, user, card);
    return fetch(`${app!.url}/slack/events`, { method: 'POST', headers: signedHeaders(body, options), body });
  };

  /** `/faultline <text>` typed by `user` in the card's channel, signed like Slack sends it. */
  const command = (text: string, user: string) => {
    const body = slashCommandBody({
      team: TEAM,
      channel: CHANNEL,
      user,
      text,
      responseUrl: slack.responseUrl,
    });
    return fetch(`${app!.url}/slack/events`, { method: 'POST', headers: signedHeaders(body), body });
  };

  const issueStatus = async () =>
    (await ok(stack.api.client.GET('/api/0/issues/{issue}/', { params: { path: { issue: issueId } } })))
      .status;

  /** The first update of the card after `since` (an index into the recorded calls) that `matches`. */
  const cardUpdate = (since: number, matches: (call: RecordedCall) => boolean) =>
    waitFor('the card update', async () =>
      slack.calls
        .slice(since)
        .find(
          (call) =>
            call.method === 'chat.update' &&
            call.answer.ok === true &&
            call.args.ts === card.ts &&
            matches(call),
        ),
    );
  const shows = (call: RecordedCall, text: string) => JSON.stringify(call.args.blocks).includes(text);
  /** Whether the card offers that button (`faultline_resolve` is part of `faultline_unresolve`). */
  const offers = (call: RecordedCall, actionId: string) => shows(call, `"action_id":"${actionId}"`);

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    slack = await startSlackStandIn({ token: [BOT_TOKEN, APP_TOKEN], team: TEAM });
    stack = await startStack('postgres', {
      // The Web API's address is the installation's to choose; the bot token the organization's.
      // ticketer: a third-party plugin with one issue action (File ticket, with a title).
      env: { PLUGIN_CONFIG_SLACK: JSON.stringify({ apiUrl: slack.url }), PLUGINS: TICKETER },
      // Links as the people would have confirmed them (the confirmation itself: linked-accounts tests).
      prepare: async (knex, setup) => {
        const accounts = new AccountsRepository(knex);
        const org = await knex('organizations').where({ slug: setup.organization }).first('id');
        const admin = await knex('users').where({ email: setup.user }).first('id');
        const billing = await accounts.ensureUser('bill@example.com', false);
        await accounts.ensureMember(org.id, billing.id, 'billing');
        // A member who never linked Slack: not offered in the Assign select.
        await accounts.ensureMember(
          org.id,
          (await accounts.ensureUser('carol@example.com', false)).id,
          'member',
        );
        for (const [user, userId] of [
          [ADA, admin.id],
          [BILL, billing.id],
        ])
          await knex('external_identities').insert({
            organization_id: org.id,
            provider: 'slack',
            external_workspace_id: TEAM,
            external_user_id: user,
            user_id: userId,
          });
      },
    });
    const { organization: org, project } = stack.setup;
    const api = stack.api.client;
    await enableSlackPlugin(api, org, { botToken: BOT_TOKEN });
    appToken = (
      await ok(
        api.POST('/api/0/organizations/{organization}/org-auth-tokens/', {
          params: { path: { organization: org } },
          body: {
            name: 'Slack',
            client: 'slack',
            // project:write lets a linked person `/faultline subscribe` a channel (as themselves).
            // member:read and team:read fill the card's Assign select.
            scopes: [
              'org:read',
              'project:read',
              'project:write',
              'member:read',
              'team:read',
              'event:read',
              'event:write',
            ],
          },
        }),
      )
    ).token;
    await ok(
      api.POST('/api/0/projects/{organization}/{project}/rules/', {
        params: { path: { organization: org, project } },
        body: {
          name: 'Page on-call',
          actionMatch: 'any',
          conditions: [{ id: 'issue.created' }],
          filters: [],
          actions: [{ plugin: 'slack', config: { channel: CHANNEL, mentions: [ADA] } }],
          frequency: 5,
        },
      }),
    );
    app = await startApp();
  });

  after(async () => {
    await app?.stop();
    await stack?.dispose();
    await slack?.close();
  });

  it('posts the card; a signed Resolve click resolves as the linked user and rebuilds the card', async () => {
    const reporter = new ChildApp('sentry-one-error-app.ts', { FAULTLINE_DSN: stack.setup.dsn });
    await reporter.report('sent');
    await reporter.finished();
    const post = await waitFor('the alert card', async () => slack.accepted('chat.postMessage')[0], {
      timeoutMs: 60_000,
    });
    assert.equal(post.args.channel, CHANNEL);
    assert.match(JSON.stringify(post.args.blocks), /negative balance/);
    card = { team: TEAM, channel: CHANNEL, ts: String(post.answer.ts) };
    const [issue] = await stack.api.issues(stack.setup.organization, stack.setup.project);
    issueId = issue.id;

    const since = slack.calls.length;
    const answer = await click(CARD_ACTIONS.resolve, ADA);
    assert.equal(answer.status, 200);
    const update = await cardUpdate(since, (call) => shows(call, `Resolved by <@${ADA}> from Slack`));
    assert.ok(offers(update, CARD_ACTIONS.unresolve) && !offers(update, CARD_ACTIONS.resolve));
    assert.equal(await issueStatus(), 'resolved');
    const activity = await ok(
      stack.api.client.GET('/api/0/organizations/{organization}/audit-logs/', {
        params: { path: { organization: stack.setup.organization } },
      }),
    ).catch(() => undefined);
    if (activity) assert.match(JSON.stringify(activity), /slack/);
  });

  it('updates the card within 2 s when the issue is unresolved through the REST API', async () => {
    const since = slack.calls.length;
    const started = Date.now();
    await ok(
      stack.api.client.PUT('/api/0/issues/{issue}/', {
        params: { path: { issue: issueId } },
        body: { status: 'unresolved' },
      }),
    );
    // An update asked for earlier (the click's own change coming back through the stream) may land
    // first, drawing the issue as it is by then; the one for this change follows it.
    const update = await cardUpdate(since, (call) => shows(call, 'Unresolved through api'));
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.ok(offers(update, CARD_ACTIONS.resolve));
  });

  it('catches up after a restart on what changed while the app was stopped', async () => {
    await app!.stop();
    app = undefined;
    await ok(
      stack.api.client.PUT('/api/0/issues/{issue}/', {
        params: { path: { issue: issueId } },
        body: { status: 'ignored' },
      }),
    );
    const since = slack.calls.length;
    app = await startApp();
    const update = await cardUpdate(since, (call) => shows(call, 'Archived through api'));
    assert.ok(offers(update, CARD_ACTIONS.unresolve));
  });

  it('refuses unsigned, badly signed and stale requests with 401, changing nothing', async () => {
    const before = await issueStatus();
    assert.equal((await click(CARD_ACTIONS.unresolve, ADA, { secret: 'not-the-secret' })).status, 401);
    assert.equal(
      (await click(CARD_ACTIONS.unresolve, ADA, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }))
        .status,
      401,
    );
    const body = clickBody(CARD_ACTIONS.unresolve, issueId, ADA, card);
    const unsigned = await fetch(`${app!.url}/slack/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    assert.equal(unsigned.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await issueStatus(), before);
  });

  it('tells an unlinked user how to connect, and a member without permission that Faultline refused', async () => {
    const before = await issueStatus();
    let since = slack.calls.length;
    assert.equal((await click(CARD_ACTIONS.unresolve, NOBODY)).status, 200);
    const connect = await waitFor('the connect message', async () =>
      slack
        .accepted('chat.postEphemeral')
        .find((call) => slack.calls.indexOf(call) >= since && call.args.user === NOBODY),
    );
    assert.match(String(connect.args.text), /account-links\/confirm\?token=/);
    since = slack.calls.length;
    assert.equal((await click(CARD_ACTIONS.unresolve, BILL)).status, 200);
    const refused = await waitFor('the refusal', async () =>
      slack
        .accepted('chat.postEphemeral')
        .find((call) => slack.calls.indexOf(call) >= since && call.args.user === BILL),
    );
    assert.match(String(refused.args.text), /refused|no longer exists/);
    assert.equal(await issueStatus(), before);
  });

  it('tells the clicker when the issue is gone, and waits out a Slack 429 on the card update', async () => {
    let since = slack.calls.length;
    await click(CARD_ACTIONS.resolve, ADA, {}, '999999');
    const gone = await waitFor('the gone message', async () =>
      slack.accepted('chat.postEphemeral').find((call) => slack.calls.indexOf(call) >= since),
    );
    assert.match(String(gone.args.text), /no longer exists/);

    since = slack.calls.length;
    slack.rateLimit('chat.update', 1);
    await click(CARD_ACTIONS.unresolve, ADA);
    const update = await cardUpdate(since, (call) => shows(call, `Unresolved by <@${ADA}> from Slack`));
    assert.ok(slack.calls.slice(since).some((call) => call.method === 'chat.update' && call.status === 429));
    assert.ok(offers(update, CARD_ACTIONS.resolve));
    assert.equal(await issueStatus(), 'unresolved');
  });

  it('answers /faultline help, link, search and subscribe, as the linked person', async () => {
    let since = slack.calls.length;
    assert.equal((await command('help', NOBODY)).status, 200);
    assert.match(String((await answerAfter(slack, since)).args.text), /search <query>/);

    since = slack.calls.length;
    await command('link', NOBODY);
    assert.match(String((await answerAfter(slack, since)).args.text), /account-links\/confirm\?token=/);

    since = slack.calls.length;
    await command('search negative balance', NOBODY);
    assert.match(String((await answerAfter(slack, since)).args.text), /connect your account/);

    since = slack.calls.length;
    await command('search negative balance', ADA);
    const results = await answerAfter(slack, since);
    assert.equal(results.args.response_type, 'ephemeral');
    assert.match(JSON.stringify(results.args.blocks), /negative balance/);
    // With the card's buttons (Resolve or Unresolve, as the issue is now).
    assert.match(JSON.stringify(results.args.blocks), /"action_id":"faultline_(un)?resolve"/);

    since = slack.calls.length;
    await command(`subscribe ${stack.setup.project}`, ADA);
    assert.match(String((await answerAfter(slack, since)).args.text), /Subscribed/);
    const rules = await ok(
      stack.api.client.GET('/api/0/projects/{organization}/{project}/rules/', {
        params: { path: { organization: stack.setup.organization, project: stack.setup.project } },
      }),
    );
    assert.ok(JSON.stringify(rules).includes('Slack #oncall'));
    assert.ok(JSON.stringify(rules).includes(CHANNEL));
  });

  it('works over Socket Mode: a click arriving on the WebSocket is acknowledged and done', async () => {
    await ok(
      stack.api.client.PUT('/api/0/issues/{issue}/', {
        params: { path: { issue: issueId } },
        body: { status: 'unresolved' },
      }),
    );
    // The Socket Mode endpoint's stand-in: apps.connections.open answers its URL.
    const sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => sockets.once('listening', resolve));
    slack.socketUrl = `ws://127.0.0.1:${(sockets.address() as { port: number }).port}/link`;
    // Slack greets each connection with `hello`; the client's start waits for it.
    const connected = new Promise<WebSocket>((resolve) =>
      sockets.once('connection', (socket) => {
        socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'standin' } }));
        resolve(socket);
      }),
    );
    const socketApp = await startApp({ SLACK_APP_TOKEN: APP_TOKEN });
    try {
      assert.equal(socketApp.url, undefined);
      const socket = await connected;
      const acked = new Promise<string>((resolve) =>
        socket.on('message', (data) => {
          const message = JSON.parse(String(data)) as { envelope_id?: string };
          if (message.envelope_id) resolve(message.envelope_id);
        }),
      );
      const payload = JSON.parse(
        decodeURIComponent(clickBody(CARD_ACTIONS.resolve, issueId, ADA, card).slice(8)),
      );
      socket.send(
        JSON.stringify({
          envelope_id: 'env-1',
          type: 'interactive',
          payload,
          accepts_response_payload: false,
        }),
      );
      assert.equal(await acked, 'env-1');
      await waitFor('the issue resolved over Socket Mode', async () =>
        (await issueStatus()) === 'resolved' ? true : undefined,
      );
      assert.ok(
        slack.calls.some((call) => call.method === 'apps.connections.open' && call.token === APP_TOKEN),
      );
    } finally {
      await socketApp.stop();
      sockets.close();
    }
  });

  it("offers the plugins' issue actions: the button opens the form as a modal, its submission runs as the linked user", async () => {
    let since = slack.calls.length;
    await click(CARD_ACTIONS.resolve, ADA);
    const update = await cardUpdate(since, (call) => offers(call, CARD_ACTIONS.unresolve));
    assert.ok(offers(update, FILE_TICKET), 'the card offers File ticket');

    since = slack.calls.length;
    assert.equal((await click(FILE_TICKET, ADA)).status, 200);
    const opened = await waitFor('the modal', async () =>
      slack.calls.slice(since).find((call) => call.method === 'views.open' && call.answer.ok === true),
    );
    const view = opened.args.view as {
      private_metadata: string;
      blocks: { block_id: string; type: string }[];
    };
    assert.deepEqual(
      view.blocks.map((block) => [block.type, block.block_id]),
      [['input', 'title']],
    );

    since = slack.calls.length;
    const submission = {
      type: 'view_submission',
      team: { id: TEAM, domain: 'standin' },
      user: { id: ADA, username: 'ada', team_id: TEAM },
      api_app_id: 'A0FAULTLINE',
      token: 'legacy-verification-token',
      trigger_id: '1.2.4',
      view: {
        id: 'V0MODAL',
        team_id: TEAM,
        type: 'modal',
        callback_id: 'faultline_issue_action',
        private_metadata: view.private_metadata,
        state: { values: { title: { value: { type: 'plain_text_input', value: 'Checkout is down' } } } },
        hash: 'h1',
        blocks: view.blocks,
      },
      response_urls: [],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(submission))}`;
    const submitted = await fetch(`${app!.url}/slack/events`, {
      method: 'POST',
      headers: signedHeaders(body),
      body,
    });
    assert.equal(submitted.status, 200);
    const told = await waitFor('the result', async () =>
      slack.accepted('chat.postEphemeral').find((call) => slack.calls.indexOf(call) >= since),
    );
    assert.match(String(told.args.text), /Filed "Checkout is down"/);
    const notes = await ok(
      stack.api.client.GET('/api/0/issues/{issue}/comments/', { params: { path: { issue: issueId } } }),
    );
    const ticket = notes.find((note) => note.data.text === 'Ticket: Checkout is down');
    assert.equal(ticket?.user?.email, stack.setup.user, "the comment is the linked user's");
  });

  /** An Events API callback as Slack posts it (JSON, signed like every request). */
  const slackEvent = (event: Record<string, unknown>) => {
    const body = JSON.stringify({
      token: 'legacy-verification-token',
      team_id: TEAM,
      api_app_id: 'A0FAULTLINE',
      type: 'event_callback',
      event_id: `Ev${Date.now()}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
    });
    return fetch(`${app!.url}/slack/events`, {
      method: 'POST',
      headers: { ...signedHeaders(body), 'Content-Type': 'application/json' },
      body,
    });
  };

  it('unfurls a Faultline issue link for someone who may read it; App Home lists their assigned issues', async () => {
    const issue = await ok(
      stack.api.client.GET('/api/0/issues/{issue}/', { params: { path: { issue: issueId } } }),
    );
    await ok(
      stack.api.client.PUT('/api/0/issues/{issue}/', {
        params: { path: { issue: issueId } },
        body: { status: 'unresolved', assignedTo: stack.setup.user },
      }),
    );
    let since = slack.calls.length;
    const shared = (user: string) =>
      slackEvent({
        type: 'link_shared',
        channel: CHANNEL,
        user,
        message_ts: '1700000999.000100',
        unfurl_id: 'U1',
        source: 'conversations_history',
        links: [{ domain: '127.0.0.1', url: issue.permalink }],
      });
    assert.equal((await shared(ADA)).status, 200);
    const unfurl = await waitFor('the unfurl', async () =>
      slack.calls.slice(since).find((call) => call.method === 'chat.unfurl' && call.answer.ok === true),
    );
    assert.match(JSON.stringify(unfurl.args.unfurls), new RegExp(issue.shortId));
    // Someone who can't read it (not linked) gets no unfurl: a link can't make the app reveal an issue.
    since = slack.calls.length;
    await shared(NOBODY);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(!slack.calls.slice(since).some((call) => call.method === 'chat.unfurl'));

    since = slack.calls.length;
    assert.equal(
      (await slackEvent({ type: 'app_home_opened', user: ADA, channel: 'D0HOME', tab: 'home' })).status,
      200,
    );
    const home = await waitFor('the home view', async () =>
      slack.calls.slice(since).find((call) => call.method === 'views.publish' && call.args.user_id === ADA),
    );
    assert.match(JSON.stringify(home.args.view), new RegExp(issue.shortId));
    since = slack.calls.length;
    await slackEvent({ type: 'app_home_opened', user: NOBODY, channel: 'D0HOME', tab: 'home' });
    const unlinked = await waitFor('the home view of an unlinked user', async () =>
      slack.calls
        .slice(since)
        .find((call) => call.method === 'views.publish' && call.args.user_id === NOBODY),
    );
    assert.match(JSON.stringify(unlinked.args.view), /account-links\/confirm/);
  });

  it('assigns from the card: the select offers members and teams, the choice is made as the linked user', async () => {
    let since = slack.calls.length;
    await click(CARD_ACTIONS.resolve, ADA);
    const drawn = await cardUpdate(since, (call) => offers(call, CARD_ACTIONS.assign));
    const members = await ok(
      stack.api.client.GET('/api/0/organizations/{organization}/members/', {
        params: { path: { organization: stack.setup.organization } },
      }),
    );
    const admin = members.find((member) => member.email === stack.setup.user)!;
    const choice = `${issueId}|user:${admin.user.id}`;
    assert.ok(shows(drawn, choice), 'the admin is offered');
    const carol = members.find((member) => member.email === 'carol@example.com')!;
    assert.ok(!shows(drawn, `${issueId}|user:${carol.user.id}`), 'a member who did not link Slack is not');
    assert.ok(shows(drawn, `#${stack.setup.team}`), 'the team is offered');

    since = slack.calls.length;
    const payload = JSON.parse(
      decodeURIComponent(clickBody(CARD_ACTIONS.assign, issueId, ADA, card).slice(8)),
    );
    payload.actions = [
      {
        type: 'static_select',
        action_id: CARD_ACTIONS.assign,
        block_id: 'faultline_actions_0',
        selected_option: { text: { type: 'plain_text', text: admin.name }, value: `${issueId}|` },
        action_ts: '2.0',
      },
    ];
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    assert.equal(
      (await fetch(`${app!.url}/slack/events`, { method: 'POST', headers: signedHeaders(body), body }))
        .status,
      200,
    );
    await cardUpdate(since, (call) => shows(call, `Unassigned by <@${ADA}> from Slack`));
    const issue = await ok(
      stack.api.client.GET('/api/0/issues/{issue}/', { params: { path: { issue: issueId } } }),
    );
    assert.equal(issue.assignedTo, null);

    since = slack.calls.length;
    payload.actions[0].selected_option.value = choice;
    const again = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await fetch(`${app!.url}/slack/events`, { method: 'POST', headers: signedHeaders(again), body: again });
    await cardUpdate(since, (call) => shows(call, `Assigned by <@${ADA}> from Slack`));
    const assigned = await ok(
      stack.api.client.GET('/api/0/issues/{issue}/', { params: { path: { issue: issueId } } }),
    );
    assert.equal(assigned.assignedTo?.id, admin.user.id);
  });
});
