import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { CardUpdates } from './card-updates';
import { registerCommands } from './commands';
import { CursorFile } from './cursor-file';
import { Faultline } from './faultline';
import { registerEvents } from './events';
import { registerInteractions } from './interactions';
import { registerIssueActions } from './issue-actions';
import type { SlackAppSettings } from './settings';
import { startCardSync } from './sync';

/** Where Slack sends events, interactivity, slash commands and options (Bolt's default: one URL). */
export const EVENTS_PATH = '/slack/events';

export interface RunningSlackApp {
  /** The standalone HTTP receiver's address (`http://127.0.0.1:port`); undefined in Socket Mode. */
  url: string | undefined;
  /** Resolves when every card update asked for so far is done (for tests and shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

type Log = (message: string, fields?: Record<string, unknown>) => void;

const defaultLog: Log = (message, fields) =>
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), name: 'slack-app', message, ...fields })}\n`,
  );

/**
 * Starts the Slack app: Bolt with its HTTP receiver on `SLACK_PORT` (requests verified with the
 * signing secret: HMAC over `v0:timestamp:body`, five-minute window, else 401), or over Socket Mode
 * when `SLACK_APP_TOKEN` is set; the card buttons; and card sync from the change stream.
 */
export async function startSlackApp(
  settings: SlackAppSettings,
  log: Log = defaultLog,
): Promise<RunningSlackApp> {
  const clientOptions = { slackApiUrl: settings.SLACK_API_URL };
  const receiver = settings.SLACK_APP_TOKEN
    ? new SocketModeReceiver({
        appToken: settings.SLACK_APP_TOKEN,
        installerOptions: { clientOptions },
        logLevel: LogLevel.ERROR,
      })
    : new HTTPReceiver({
        signingSecret: settings.SLACK_SIGNING_SECRET,
        endpoints: EVENTS_PATH,
        logLevel: LogLevel.ERROR,
      });
  const app = new App({
    token: settings.SLACK_BOT_TOKEN,
    receiver,
    clientOptions,
    logLevel: LogLevel.ERROR,
  });
  const faultline = new Faultline({
    baseUrl: settings.FAULTLINE_URL,
    token: settings.FAULTLINE_TOKEN,
    organization: settings.FAULTLINE_ORGANIZATION,
  });
  const updates = new CardUpdates(
    async (card, message) => {
      await app.client.chat.update({
        channel: card.channel,
        ts: card.ts,
        text: message.text,
        blocks: message.blocks,
      });
    },
    (error, card) => log('card update failed', { card, error: String(error) }),
  );
  registerInteractions(app, { faultline, updates, log });
  registerCommands(app, { faultline });
  registerIssueActions(app, { faultline, updates });
  registerEvents(app, faultline);
  const auth = await app.client.auth.test();
  const sync = await startCardSync({
    faultline,
    updates,
    cursor: new CursorFile(settings.SLACK_STATE_FILE),
    client: app.client,
    team: String(auth.team_id),
    log,
  });
  const started = (await app.start(settings.SLACK_PORT)) as Server | undefined;
  const address = settings.SLACK_APP_TOKEN ? undefined : (started?.address() as AddressInfo | undefined);
  return {
    url: address ? `http://127.0.0.1:${address.port}` : undefined,
    idle: () => updates.idle(),
    async stop() {
      await sync.stop();
      await app.stop();
    },
  };
}
