import assert from 'node:assert/strict';
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

  it('turn it on with all four', () => {
    const slack = loadConfig({ ...SLACK, DATA_DIR: '/srv/faultline' }).slack;
    assert.deepEqual(slack, {
      signingSecret: 'signing-secret',
      appToken: undefined,
      botToken: 'xoxb-1234',
      faultlineToken: 'fl_secret_integration_token',
      organization: 'acme',
      apiUrl: 'https://slack.com/api/',
    });
  });

  it('turn on Socket Mode with an app token, which needs no signing secret', () => {
    const slack = loadConfig({
      ...SLACK,
      SLACK_SIGNING_SECRET: undefined,
      SLACK_APP_TOKEN: 'xapp-1-x',
    }).slack;
    assert.equal(slack?.appToken, 'xapp-1-x');
    assert.equal(slack?.signingSecret, undefined);
    assert.throws(
      () => loadConfig({ ...SLACK, SLACK_SIGNING_SECRET: undefined }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^Invalid setting SLACK_SIGNING_SECRET: is required for the Slack app unless SLACK_APP_TOKEN/.test(
          error.message,
        ),
    );
    assert.throws(
      () => loadConfig({ SLACK_APP_TOKEN: 'xapp-1-x' }),
      (error: unknown) =>
        error instanceof ConfigError && /^Invalid setting SLACK_BOT_TOKEN: is required/.test(error.message),
    );
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
