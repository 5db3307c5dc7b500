// Types only: the package itself is loaded below, when Slack is configured.
import type * as SlackApp from '@faultline/slack-app';
import { ConfigError } from '../errors';
import { CORE, MAIN } from './features';
import { HTTP } from './http-modules';
import { defineModule, serviceRef } from './modules';

/**
 * The Slack app inside `faultline start` (issue 14): Bolt's receiver answers `/slack/events` on the
 * core server, and card sync runs once that server listens. The app stays a client: it calls the API
 * over HTTP at PUBLIC_URL with an organization integration token of client `slack`, as it does when
 * run on its own. Loaded by package name only when Slack is configured, so core starts without Bolt
 * otherwise (see the `core-loads-slack-app-in-one-place` rule in .dependency-cruiser.cjs).
 */

/**
 * Builds the app and its pages (`/slack/events`, and `/slack/install` and `/slack/oauth_redirect`
 * with the OAuth settings, in Socket Mode too); nothing reaches Slack or the API yet.
 */
export const slackAppModule = defineModule({
  id: 'slack-app',
  provides: HTTP.slack,
  needs: { log: CORE.log, config: MAIN.config },
  async init({ log, config }) {
    const slack = config.slack;
    if (!slack) return { value: undefined };
    let loaded: typeof SlackApp;
    try {
      loaded = await import('@faultline/slack-app');
    } catch (error) {
      throw new ConfigError(
        `The SLACK_ settings are set but @faultline/slack-app could not be loaded (${String(error)}); install it next to @faultline/core or unset them`,
      );
    }
    let settings: SlackApp.SlackSettings;
    try {
      // The app's own rules for its settings, the same as when it runs standalone.
      settings = loaded.readSlackSettings(slack.app);
    } catch (error) {
      throw new ConfigError(error instanceof Error ? error.message : String(error));
    }
    const appLog = log.child({ component: 'slack-app' });
    const app = loaded.mountableSlackApp(
      {
        FAULTLINE_URL: config.http.publicUrl,
        FAULTLINE_TOKEN: slack.faultlineToken,
        FAULTLINE_ORGANIZATION: slack.organization,
        ...settings,
      },
      (message, fields) => appLog.warn(fields ?? {}, message),
    );
    return {
      value: {
        // Socket Mode: Slack's requests come over the app's WebSocket, so no `/slack/events`; the
        // OAuth install pages are served here either way (Slack's redirect needs an HTTP page).
        mount: (router) => {
          for (const route of app.routes)
            // The app reads the raw body itself (the signature covers its bytes) and writes the answer.
            router[route.method === 'GET' ? 'get' : 'post'](route.path, (ctx) => {
              ctx.respond = false;
              route.handle(ctx.req, ctx.res);
            });
        },
        start: async () => app.start(),
        stop: () => app.stop(),
      },
    };
  },
});

/**
 * Card sync (and Socket Mode, when configured), started once the server answers (the app reads the
 * API through it) and stopped before the server stops (modules stop in reverse), so no card update
 * is cut off mid-request. Both run in the background: Slack not answering is logged and retried
 * with growing waits, and never stops `faultline start`.
 */
export const slackSyncModule = defineModule({
  id: 'slack-sync',
  provides: serviceRef<undefined>('slack.sync'),
  needs: { slack: HTTP.slack, server: HTTP.server },
  async init({ slack }) {
    if (!slack) return { value: undefined };
    await slack.start();
    return { value: undefined, stop: () => slack.stop() };
  },
});
