import assert from 'node:assert/strict';
import { startSlackStandIn, type SlackStandIn } from '@faultline/extension-slack/testing';
import { isPostgresReachable } from '../core/src/testing/databases';
import {
  linkSlackUserToAdmin,
  postToSlackApp,
  restartWithSlackApp,
  slashCommandAnswer,
  slashCommandBody,
} from './support/slack';
import { startStack, type Stack } from './support/stack';

const BOT_TOKEN = 'xoxb-in-start-0123456789';
const SIGNING_SECRET = 'in-start-signing-secret';
const TEAM = 'T0STANDIN';
const ADA = 'U0ADA';

/**
 * Issue 14: with the Slack settings, a real `faultline start` serves the Slack app at /slack/events
 * on its own port and runs its card sync; the app still acts through the API with its token.
 */
describe('the Slack app inside faultline start [postgres]', function () {
  this.timeout(120_000);
  let stack: Stack;
  let slack: SlackStandIn;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    slack = await startSlackStandIn({ token: BOT_TOKEN, team: TEAM });
    stack = await startStack('postgres', {
      // Ada's Slack account linked to the admin, as confirmed on the link page (tested elsewhere).
      prepare: (knex, setup) => linkSlackUserToAdmin(knex, setup, { team: TEAM, user: ADA }),
    });
    // The integration token is made through the API, then the server restarts with Slack configured.
    await restartWithSlackApp(stack, ['org:read', 'project:read', 'event:read'], {
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: slack.url,
    });
  });

  /** A signed `/faultline <text>` typed by Ada; resolves with what the command answered. */
  const command = (text: string) =>
    slashCommandAnswer(slack, stack.baseUrl, SIGNING_SECRET, { team: TEAM, user: ADA, text });

  after(async () => {
    await stack?.dispose();
    await slack?.close();
  });

  it('checks the bot token at start-up (card sync runs)', async () => {
    assert.ok(slack.accepted('auth.test').length >= 1);
  });

  it('answers a signed /faultline help through the response URL', async () => {
    const answer = await command('help');
    assert.match(JSON.stringify(answer.args), /search <query>|`search/);
  });

  it('acts on a signed /faultline unlink as the linked person, through the API', async () => {
    const answer = await command('unlink');
    assert.match(JSON.stringify(answer.args), /no longer linked/);
    const left = await stack.target.withKnex((knex) =>
      knex('external_identities').where({ provider: 'slack', external_user_id: ADA }).count({ n: '*' }),
    );
    assert.equal(Number(left[0].n), 0);
  });

  it('refuses unsigned and badly signed requests with 401, doing nothing', async () => {
    const since = slack.calls.length;
    const body = slashCommandBody({ team: TEAM, user: ADA, text: 'help', responseUrl: slack.responseUrl });
    const unsigned = await fetch(`${stack.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    assert.equal(unsigned.status, 401);
    const badly = await postToSlackApp(stack.baseUrl, body, 'not-the-secret');
    assert.equal(badly.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(
      slack.calls.slice(since).filter((call) => call.method === 'response_url'),
      [],
    );
  });
});
