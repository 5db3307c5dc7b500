import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError } from '../errors';
import { loadConfig } from '.';

const SLACK = {
  SLACK_SIGNING_SECRET: 'signing-secret',
  SLACK_BOT_TOKEN: 'xoxb-1234',
  SLACK_FAULTLINE_TOKEN: 'fl_secret_integration_token',
  SLACK_ORGANIZATION: 'acme',
};

describe('Slack settings', () => {
  it('leave the Slack app off when none is set', () => {
    assert.equal(loadConfig({}).slack, undefined);
  });

  it('turn it on with all four, the state file under DATA_DIR by default', () => {
    const slack = loadConfig({ ...SLACK, DATA_DIR: '/srv/faultline' }).slack;
    assert.deepEqual(slack, {
      signingSecret: 'signing-secret',
      botToken: 'xoxb-1234',
      faultlineToken: 'fl_secret_integration_token',
      organization: 'acme',
      apiUrl: 'https://slack.com/api/',
      stateFile: path.resolve('/srv/faultline/slack-state.json'),
    });
  });

  it('stop start-up naming the missing one when only some are set, hiding secrets', () => {
    assert.throws(
      () => loadConfig({ ...SLACK, SLACK_FAULTLINE_TOKEN: undefined }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^Invalid setting SLACK_FAULTLINE_TOKEN: is required when any of/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ ...SLACK, SLACK_BOT_TOKEN: 'xoxp-user-token' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes('SLACK_BOT_TOKEN: must be a bot token') &&
        !error.message.includes('xoxp-user-token'),
    );
  });
});
