import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSettings, readSlackSettings } from '@faultline/slack-app';
import { runCli } from './support/cli';

const FAULTLINE = {
  FAULTLINE_URL: 'https://faultline.example.com',
  FAULTLINE_TOKEN: 'fl_token',
  FAULTLINE_ORGANIZATION: 'acme',
};
const OAUTH = {
  SLACK_CLIENT_ID: '1234.5678',
  SLACK_CLIENT_SECRET: 'client-secret',
  SLACK_STATE_SECRET: 'state-secret-0123456789',
};

const refused = (read: () => unknown, message: RegExp) =>
  assert.throws(read, (error: unknown) => error instanceof Error && message.test(error.message));

/**
 * Issue 14: the Slack app's settings are declared once (slack-app/src/settings.ts) and read the same
 * standalone (`readSettings`) and inside `faultline start` (`readSlackSettings`, which start-up
 * calls when it loads the app: a bad value stops it with the same line).
 */
describe('the Slack app settings, standalone and inside faultline start', () => {
  for (const [how, read] of [
    ['standalone', (s: Record<string, string | undefined>) => readSettings({ ...FAULTLINE, ...s })],
    ['inside faultline start', readSlackSettings],
  ] as const)
    describe(how, () => {
      it('take one workspace by its bot token, or the OAuth install flow, over HTTP or Socket Mode', () => {
        assert.equal(
          read({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }).SLACK_BOT_TOKEN,
          'xoxb-1',
        );
        assert.equal(read({ SLACK_SIGNING_SECRET: 's', ...OAUTH }).SLACK_CLIENT_ID, '1234.5678');
        // Socket Mode with the OAuth flow: the install pages are still served over HTTP.
        assert.equal(read({ SLACK_APP_TOKEN: 'xapp-1', ...OAUTH }).SLACK_APP_TOKEN, 'xapp-1');
        assert.equal(
          read({ SLACK_APP_TOKEN: 'xapp-1', SLACK_BOT_TOKEN: 'xoxb-1' }).SLACK_API_URL,
          'https://slack.com/api/',
        );
      });

      it('refuse what would not run, naming the setting and never its value', () => {
        refused(
          () => read({ SLACK_BOT_TOKEN: 'xoxb-1' }),
          /^Invalid setting SLACK_SIGNING_SECRET: is required for the Slack app unless SLACK_APP_TOKEN/,
        );
        refused(
          () => read({ SLACK_SIGNING_SECRET: 's' }),
          /^Invalid setting SLACK_BOT_TOKEN: is required unless SLACK_CLIENT_ID/,
        );
        refused(
          () => read({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxp-user-token' }),
          /^Invalid setting SLACK_BOT_TOKEN: must be a bot token \(xoxb-…\)$/,
        );
        refused(
          () => read({ SLACK_SIGNING_SECRET: 's', ...OAUTH, SLACK_STATE_SECRET: undefined }),
          /^Invalid setting SLACK_STATE_SECRET: is required with SLACK_CLIENT_ID, SLACK_CLIENT_SECRET/,
        );
        refused(
          () => read({ SLACK_SIGNING_SECRET: 's', ...OAUTH, SLACK_BOT_TOKEN: 'xoxb-1' }),
          /^Invalid setting SLACK_BOT_TOKEN: must not be set with the OAuth install flow/,
        );
      });
    });

  it('stop faultline start with the same line when one is bad, never showing its value', async function () {
    this.timeout(120_000);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-slack-settings-'));
    try {
      const result = await runCli(['start', '--port', '0'], {
        env: {
          DATA_DIR: dataDir,
          SLACK_FAULTLINE_TOKEN: 'fl_token',
          SLACK_ORGANIZATION: 'acme',
          SLACK_SIGNING_SECRET: 's',
          SLACK_BOT_TOKEN: 'xoxp-user-token',
        },
        timeoutMs: 90_000,
      });
      const output = result.stdout + result.stderr;
      assert.notEqual(result.code, 0, output);
      assert.match(output, /Invalid setting SLACK_BOT_TOKEN: must be a bot token/);
      assert.doesNotMatch(output, /xoxp-user-token/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
