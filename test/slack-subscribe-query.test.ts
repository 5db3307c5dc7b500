import assert from 'node:assert/strict';
import { ok } from '@faultline/api-client';
import { startSlackStandIn, type SlackStandIn } from '@faultline/extension-slack/testing';
import { isPostgresReachable } from '../core/src/testing/databases';
import { sleep, waitFor } from './support/api';
import {
  enableSlackPlugin,
  linkSlackUserToAdmin,
  restartWithSlackApp,
  slashCommandAnswer,
} from './support/slack';
import { reportIssue, startStack, type Stack } from './support/stack';

const BOT_TOKEN = 'xoxb-subscribe-query-0123456789';
const SIGNING_SECRET = 'subscribe-query-signing-secret';
const TEAM = 'T0STANDIN';
const ADA = 'U0ADA';
const CHANNEL = 'C0CHECKOUT';

/**
 * Issue 14: `/faultline subscribe <project> [query]` routes the project's new and regressed issues
 * to the channel, and with a query only those matching it (the API's search syntax, through the
 * rules' `query` filter). A real `faultline start` running the Slack app and the Slack plugin, a
 * signed slash command, and the cards on the Web API stand-in.
 */
describe('/faultline subscribe with a query [postgres]', function () {
  this.timeout(180_000);
  let stack: Stack;
  let slack: SlackStandIn;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    slack = await startSlackStandIn({ token: BOT_TOKEN, team: TEAM });
    stack = await startStack('postgres', {
      env: { PLUGIN_CONFIG_SLACK: JSON.stringify({ apiUrl: slack.url, botToken: BOT_TOKEN }) },
      prepare: (knex, setup) => linkSlackUserToAdmin(knex, setup, { team: TEAM, user: ADA }),
    });
    await enableSlackPlugin(stack.api.client, stack.setup.organization);
    // project:write: subscribing makes an alert rule, as the linked person.
    await restartWithSlackApp(stack, ['org:read', 'project:read', 'project:write', 'event:read'], {
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: slack.url,
    });
  });

  after(async () => {
    await stack?.dispose();
    await slack?.close();
  });

  /** `/faultline <text>` typed by Ada in #checkout; resolves with what the command answered. */
  const command = (text: string) =>
    slashCommandAnswer(slack, stack.baseUrl, SIGNING_SECRET, {
      team: TEAM,
      user: ADA,
      text,
      channel: CHANNEL,
    });

  /** The project's alert rules, through the API. */
  const rules = () =>
    ok(
      stack.api.client.GET('/api/0/projects/{organization}/{project}/rules/', {
        params: { path: { organization: stack.setup.organization, project: stack.setup.project } },
      }),
    );

  const cards = () => slack.accepted('chat.postMessage').filter((call) => call.args.channel === CHANNEL);

  it('makes the rule with the query as its filter', async () => {
    const answer = await command(`subscribe ${stack.setup.project} checkout level:error`);
    assert.equal(answer.args.response_type, 'ephemeral');
    assert.match(String(answer.args.text), /Subscribed: .* matching `checkout level:error`/);
    const saved = await rules();
    const rule = saved.find((r) => JSON.stringify(r.actions).includes(CHANNEL));
    assert.ok(rule, JSON.stringify(saved));
    assert.deepEqual(rule.filters, [{ id: 'query', query: 'checkout level:error' }]);
  });

  it('posts an issue that matches the query to the channel, and not one that does not', async () => {
    await reportIssue(stack, { message: 'login refused for everyone', fingerprint: ['login'] });
    await reportIssue(stack, { message: 'checkout total is negative', fingerprint: ['checkout'] });
    const card = await waitFor('the card of the matching issue', async () => cards()[0], {
      timeoutMs: 60_000,
    });
    assert.match(JSON.stringify(card.args.blocks), /checkout total is negative/);
    // The other issue came first: had its rule fired, its card would be there by now.
    await sleep(1500);
    assert.equal(cards().length, 1, JSON.stringify(cards().map((c) => c.args.text)));
    assert.ok(!JSON.stringify(cards()).includes('login refused'));
  });

  it("answers a query the search can't read with the parser's message, making no rule", async () => {
    const before = await rules();
    const answer = await command(`subscribe ${stack.setup.project} is:sleepy`);
    assert.equal(answer.args.response_type, 'ephemeral');
    assert.match(String(answer.args.text), /Invalid search at character 1 \("is:sleepy"\)/);
    const after = await rules();
    assert.equal(after.length, before.length);
  });
});
