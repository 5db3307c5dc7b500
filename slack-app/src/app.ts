import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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

/** The Bolt app with every handler registered, and how to start its card sync. */
interface BuiltSlackApp {
  app: App;
  updates: CardUpdates;
  /** Checks the bot token (`auth.test`) and follows the change stream; resolves once it is open. */
  startSync(): Promise<{ stop(): Promise<void> }>;
}

type AppSettings = Omit<SlackAppSettings, 'SLACK_APP_TOKEN' | 'SLACK_PORT'>;

function buildSlackApp(
  settings: AppSettings,
  receiver: HTTPReceiver | SocketModeReceiver,
  log: Log,
): BuiltSlackApp {
  const clientOptions = { slackApiUrl: settings.SLACK_API_URL };
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
  return {
    app,
    updates,
    async startSync() {
      const auth = await app.client.auth.test();
      return startCardSync({
        faultline,
        updates,
        cursor: new CursorFile(settings.SLACK_STATE_FILE),
        client: app.client,
        team: String(auth.team_id),
        log,
      });
    },
  };
}

/**
 * Starts the Slack app: Bolt with its HTTP receiver on `SLACK_PORT` (requests verified with the
 * signing secret: HMAC over `v0:timestamp:body`, five-minute window, else 401), or over Socket Mode
 * when `SLACK_APP_TOKEN` is set; the card buttons; and card sync from the change stream.
 */
export async function startSlackApp(
  settings: SlackAppSettings,
  log: Log = defaultLog,
): Promise<RunningSlackApp> {
  const receiver = settings.SLACK_APP_TOKEN
    ? new SocketModeReceiver({
        appToken: settings.SLACK_APP_TOKEN,
        installerOptions: { clientOptions: { slackApiUrl: settings.SLACK_API_URL } },
        logLevel: LogLevel.ERROR,
      })
    : new HTTPReceiver({
        signingSecret: settings.SLACK_SIGNING_SECRET,
        endpoints: EVENTS_PATH,
        logLevel: LogLevel.ERROR,
      });
  const { app, updates, startSync } = buildSlackApp(settings, receiver, log);
  const sync = await startSync();
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

/** The app as a part of another HTTP server (`faultline start`): no port or Socket Mode of its own. */
export interface MountedSlackApp {
  /**
   * Answers a request to `EVENTS_PATH` (events, interactivity, slash commands, options): verified
   * with the signing secret (else 401), acknowledged, then handled. Reads the body itself.
   */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Starts card sync (checks the bot token first); call once the Faultline URL answers. */
  start(): Promise<void>;
  /** Resolves when every card update asked for so far is done. */
  idle(): Promise<void>;
  /** Stops card sync and waits for the card updates under way. */
  stop(): Promise<void>;
}

/**
 * The Slack app for mounting on a server that is not its own: Bolt's HTTP receiver is used only as a
 * request listener (never `start`ed), so the host decides the port, timeouts and shutdown.
 */
export function mountableSlackApp(settings: AppSettings, log: Log = defaultLog): MountedSlackApp {
  const receiver = new HTTPReceiver({
    signingSecret: settings.SLACK_SIGNING_SECRET,
    endpoints: EVENTS_PATH,
    logLevel: LogLevel.ERROR,
  });
  const { updates, startSync } = buildSlackApp(settings, receiver, log);
  let sync: { stop(): Promise<void> } | undefined;
  return {
    handle: (req, res) => receiver.requestListener(req, res),
    async start() {
      sync = await startSync();
    },
    idle: () => updates.idle(),
    async stop() {
      await sync?.stop();
      sync = undefined;
      await updates.idle();
    },
  };
}
