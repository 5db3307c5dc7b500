import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestHost, type TestHost } from '@faultline/plugin-sdk/testing';
import { CARD_ACTIONS, parseCardKey } from './index';
import { startSlackStandIn, type SlackStandIn } from './testing';

const BOT_TOKEN = 'xoxb-test-0123456789';

interface ExternalIssue {
  plugin: string;
  key: string;
  url: string;
}

/**
 * The Slack alert action on the plugin test host, loaded from its folder on a thread of its own as an
 * installation loads it, with `@slack/web-api` pointed at the Web API stand-in on loopback, which
 * refuses what Slack would (missing arguments, Block Kit limits) and can answer 429.
 */
describe('slack extension: the alert action posts cards', function () {
  this.timeout(120_000);
  let host: TestHost;
  let slack: SlackStandIn;

  before(async () => {
    slack = await startSlackStandIn({ token: BOT_TOKEN });
    host = await startTestHost({
      plugins: [path.resolve(__dirname, '..')],
      config: { slack: { botToken: BOT_TOKEN, apiUrl: slack.url } },
    });
    const rule = await host.api(`/api/0/projects/${host.organization.slug}/${host.project.slug}/rules/`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'Page on-call',
        actionMatch: 'any',
        conditions: [{ id: 'issue.created' }, { id: 'issue.state_changed' }],
        filters: [],
        actions: [
          {
            plugin: 'slack',
            config: { channel: 'C0ALERTS', mentions: ['U0ONCALL', 'here'], notes: 'Runbook: <x>' },
          },
        ],
        frequency: 0,
      }),
    });
    assert.equal(rule.status, 201, await rule.text());
  });

  after(async () => {
    await host?.close();
    await slack?.close();
  });

  const issueOf = async (title: string) => {
    const list = (await (
      await host.api(
        `/api/0/projects/${host.organization.slug}/${host.project.slug}/issues/?query=${encodeURIComponent(title)}`,
      )
    ).json()) as { id: string; title: string }[];
    return list.find((issue) => issue.title.includes(title))!;
  };

  it('posts one card per issue to the channel, with mentions, notes and buttons, and records where it is', async () => {
    await host.sendEvent({
      level: 'error',
      environment: 'production',
      release: 'api@1.2.3',
      exception: { values: [{ type: 'TypeError', value: `Cannot read ${'x'.repeat(5000)}` }] },
    });
    await host.waitForIdle();
    const [post] = slack.accepted('chat.postMessage');
    assert.ok(post, JSON.stringify(slack.calls));
    assert.equal(post.token, BOT_TOKEN);
    assert.equal(post.args.channel, 'C0ALERTS');
    const text = JSON.stringify(post.args.blocks);
    assert.match(text, /<@U0ONCALL> <!here> Runbook: &lt;x&gt;/);
    assert.match(text, /TypeError/);
    assert.match(text, /production/);
    assert.match(text, /api@1\.2\.3/);
    assert.match(text, /Rule \*Page on-call\*/);
    for (const id of [CARD_ACTIONS.resolve, CARD_ACTIONS.archive, CARD_ACTIONS.open])
      assert.ok(text.includes(id), id);

    const issue = await issueOf('TypeError');
    const links = (await (
      await host.api(`/api/0/issues/${issue.id}/external-issues/`)
    ).json()) as ExternalIssue[];
    assert.equal(links.length, 1);
    assert.equal(links[0].plugin, 'slack');
    assert.deepEqual(parseCardKey(links[0].key), {
      team: 'T0STANDIN',
      channel: 'C0ALERTS',
      ts: post.answer.ts,
    });
    assert.match(links[0].url, /^https:\/\/standin\.slack\.com\/archives\/C0ALERTS\/p\d+$/);
  });

  it("answers a later firing in the card's thread instead of posting a second card, waiting out a 429", async () => {
    const issue = await issueOf('TypeError');
    slack.rateLimit('chat.postMessage', 1);
    const resolved = await host.api(`/api/0/issues/${issue.id}/`, {
      method: 'PUT',
      body: JSON.stringify({ status: 'resolved' }),
    });
    assert.equal(resolved.status, 200);
    await host.waitForIdle();
    const posts = slack.accepted('chat.postMessage');
    assert.equal(posts.length, 2, JSON.stringify(slack.calls.map((c) => [c.method, c.status])));
    assert.equal(posts[1].args.channel, 'C0ALERTS');
    assert.equal(posts[1].args.thread_ts, posts[0].answer.ts);
    assert.match(String(posts[1].args.text), /resolved.*Page on-call/i);
    // Slack's 429 was waited out (Retry-After) by the client, not failed and retried by the host.
    assert.equal(slack.calls.filter((call) => call.status === 429).length, 1);
    assert.equal((await host.failures('slack')).counts.alert, 0);
    const links = (await (
      await host.api(`/api/0/issues/${issue.id}/external-issues/`)
    ).json()) as ExternalIssue[];
    assert.equal(links.length, 1, 'still one card');
  });
});
