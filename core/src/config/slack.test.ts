import assert from 'node:assert/strict';
import { ConfigError } from '../errors';
import { loadConfig } from '.';

const SLACK = {
  SLACK_SIGNING_SECRET: 'signing-secret',
  SLACK_BOT_TOKEN: 'xoxb-1234',
  SLACK_FAULTLINE_TOKEN: 'fl_secret_integration_token',
  SLACK_ORGANIZATION: 'acme',
};

/**
 * What `faultline start` reads for the Slack app. The app's own settings are only passed on here:
 * their rules are the app's (test/slack-settings.test.ts), checked when start-up loads it.
 */
describe('Slack settings', () => {
  it('leave the Slack app off when none is set', () => {
    assert.equal(loadConfig({}).slack, undefined);
  });

  it("turn it on with the Faultline token and organization, passing the app's settings on as set", () => {
    const slack = loadConfig({ ...SLACK, DATA_DIR: '/srv/faultline' }).slack;
    assert.deepEqual(slack, {
      faultlineToken: 'fl_secret_integration_token',
      organization: 'acme',
      app: { SLACK_SIGNING_SECRET: 'signing-secret', SLACK_BOT_TOKEN: 'xoxb-1234' },
    });
    const oauth = loadConfig({
      ...SLACK,
      SLACK_BOT_TOKEN: undefined,
      SLACK_APP_TOKEN: 'xapp-1-x',
      SLACK_CLIENT_ID: '1.2',
      SLACK_CLIENT_SECRET: 'client-secret',
      SLACK_STATE_SECRET: 'state-secret-0123456789',
    }).slack;
    assert.equal(oauth?.app.SLACK_CLIENT_ID, '1.2');
    assert.equal(oauth?.app.SLACK_APP_TOKEN, 'xapp-1-x');
  });

  it('stop start-up naming the missing one when only some are set, hiding secrets', () => {
    assert.throws(
      () => loadConfig({ ...SLACK, SLACK_FAULTLINE_TOKEN: undefined }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^Invalid setting SLACK_FAULTLINE_TOKEN: is required when any of/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ SLACK_CLIENT_ID: '1.2', SLACK_FAULTLINE_TOKEN: 'fl_x' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^Invalid setting SLACK_ORGANIZATION: is required/.test(error.message) &&
        !error.message.includes('fl_x'),
    );
  });
});
