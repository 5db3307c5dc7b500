import assert from 'node:assert/strict';
import { ok } from '@faultline/api-client';
import { startSlackStandIn, type SlackStandIn } from '@faultline/extension-slack/testing';
import type { BootstrapResult } from '../core/src/accounts';
import { isPostgresReachable } from '../core/src/testing/databases';
import { ApiClient, sleep, waitFor } from './support/api';
import { runBootstrap } from './support/cli';
import { enableSlackPlugin, slackIntegrationToken } from './support/slack';
import { sendEvent, startStack, type Stack } from './support/stack';

const CLIENT = { clientId: '1234.5678', clientSecret: 'oauth-client-secret' };
/** Each organization installed the app in its own workspace, which gave it its own bot token. */
const INSTALLS = [
  { code: 'code-alpha', team: 'T0ALPHA', token: 'xoxb-installed-alpha' },
  { code: 'code-beta', team: 'T0BETA', token: 'xoxb-installed-beta' },
];
/** An organization that installed the app in two workspaces: its rules name the one to post in. */
const DELTA_INSTALLS = [
  { code: 'code-delta-1', team: 'T0DELTAA', token: 'xoxb-installed-delta-a' },
  { code: 'code-delta-2', team: 'T0DELTAB', token: 'xoxb-installed-delta-b' },
];
/** The installation-wide token of a single-workspace setup: what posts when nothing was installed. */
const FALLBACK_TOKEN = 'xoxb-configured-fallback';
const CHANNEL = 'C0ONCALL';
const OTHER_CHANNEL = 'C0OTHER';

/**
 * Issue 14: the Slack alert action posts with the bot token of the workspace the rule's organization
 * installed the Slack app in through OAuth (`coreServices.installations`), not with the configured
 * `botToken`, which stays the fallback for an organization that installed none. A real
 * `faultline start` with two organizations; the installations are saved through the API with each
 * organization's Slack token, as the app's installation store does at the end of the OAuth flow
 * (the flow itself: slack-oauth.test.ts).
 */
describe('the Slack alert action with OAuth-installed workspaces [postgres]', function () {
  this.timeout(180_000);
  let stack: Stack;
  let slack: SlackStandIn;
  let beta: BootstrapResult;
  let third: BootstrapResult;
  let delta: BootstrapResult;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    slack = await startSlackStandIn({
      token: [FALLBACK_TOKEN],
      oauth: { ...CLIENT, installs: [...INSTALLS, ...DELTA_INSTALLS] },
    });
    stack = await startStack('postgres', {
      env: { PLUGIN_CONFIG_SLACK: JSON.stringify({ apiUrl: slack.url, botToken: FALLBACK_TOKEN }) },
      beforeStart: async (cliArgs) => {
        beta = await runBootstrap([...cliArgs, '--org', 'beta', '--project', 'beta-api']);
        third = await runBootstrap([...cliArgs, '--org', 'gamma', '--project', 'gamma-api']);
        delta = await runBootstrap([...cliArgs, '--org', 'delta', '--project', 'delta-api']);
      },
    });
    await setUp(stack.setup, [INSTALLS[0]], [{ channel: CHANNEL }]);
    await setUp(beta, [INSTALLS[1]], [{ channel: CHANNEL }]);
    await setUp(third, [], [{ channel: CHANNEL }]);
    // Two workspaces: a rule naming one posts there; one naming none can't choose and posts nothing.
    await setUp(delta, DELTA_INSTALLS, [
      { channel: CHANNEL, workspace: 'T0DELTAB' },
      { channel: OTHER_CHANNEL },
    ]);
  });

  /** Turns the plugin on for the organization, saves its installations and adds one rule per action. */
  async function setUp(setup: BootstrapResult, installs: typeof INSTALLS, actions: Record<string, string>[]) {
    const api = new ApiClient(stack.baseUrl, setup.token).client;
    const organization = setup.organization;
    await enableSlackPlugin(api, organization);
    for (const [i, config] of actions.entries())
      await ok(
        api.POST('/api/0/projects/{organization}/{project}/rules/', {
          params: { path: { organization, project: setup.project } },
          body: {
            name: `Page ${organization} ${i}`,
            actionMatch: 'any',
            conditions: [{ id: 'issue.created' }],
            filters: [],
            actions: [{ plugin: 'slack', config }],
            frequency: 5,
          },
        }),
      );
    if (installs.length === 0) return;
    const token = await slackIntegrationToken(stack, ['org:read', 'org:write'], setup);
    for (const install of installs)
      // What Bolt's installation store saves: @slack/oauth's Installation, the bot token in it.
      await ok(
        new ApiClient(stack.baseUrl, token).client.PUT(
          '/api/0/organizations/{organization}/integration-installations/{workspace}/',
          {
            params: { path: { organization, workspace: install.team } },
            body: {
              installation: {
                team: { id: install.team, name: install.team },
                bot: { token: install.token, userId: 'U0BOT', id: 'B0BOT', scopes: ['chat:write'] },
                isEnterpriseInstall: false,
              },
            },
          },
        ),
      );
  }

  after(async () => {
    await stack?.dispose();
    await slack?.close();
  });

  /** An error reported to the organization's project, as an SDK sends it. */
  const report = (setup: BootstrapResult, message: string) =>
    sendEvent(stack, { message, fingerprint: [message] }, setup);

  const cardOf = (message: string) =>
    waitFor(
      `the card of ${message}`,
      async () =>
        slack
          .accepted('chat.postMessage')
          .find((call) => call.args.channel === CHANNEL && JSON.stringify(call.args).includes(message)),
      { timeoutMs: 60_000 },
    );

  it("posts each organization's card with the bot token of the workspace it installed", async () => {
    await report(stack.setup, 'alpha broke');
    await report(beta, 'beta broke');
    assert.equal((await cardOf('alpha broke')).token, 'xoxb-installed-alpha');
    assert.equal((await cardOf('beta broke')).token, 'xoxb-installed-beta');
  });

  it('posts with the configured botToken for an organization that installed no workspace', async () => {
    await report(third, 'gamma broke');
    assert.equal((await cardOf('gamma broke')).token, FALLBACK_TOKEN);
  });

  it('posts in the workspace the action names when the organization installed several, and nowhere when it names none', async () => {
    await report(delta, 'delta broke');
    assert.equal((await cardOf('delta broke')).token, 'xoxb-installed-delta-b');
    await sleep(1000);
    assert.deepEqual(
      slack.calls.filter((call) => call.method === 'chat.postMessage' && call.args.channel === OTHER_CHANNEL),
      [],
    );
  });

  it("records each card under its own workspace's team", async () => {
    const keys = await stack.target.withKnex((knex) =>
      knex('issue_external_links').where({ plugin_id: 'slack' }).pluck('key'),
    );
    for (const team of ['T0ALPHA', 'T0BETA'])
      assert.ok(
        keys.some((key: string) => key.includes(team)),
        `${team} in ${keys.join(', ')}`,
      );
  });
});
