import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { Bot } from './bot';
import { CardUpdates } from './card-updates';
import { registerCommands } from './commands';
import { Faultline } from './faultline';
import { registerEvents } from './events';
import { registerInteractions } from './interactions';
import { registerIssueActions } from './issue-actions';
import { retried, type Log } from './retry';
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

const defaultLog: Log = (message, fields) =>
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), name: 'slack-app', message, ...fields })}\n`,
  );

/** Something started in the background that `stop()` ends, wherever it got to. */
interface Background {
  stop(): Promise<void>;
}

/** The Bolt app with every handler registered, and how to start what runs beside it. */
interface BuiltSlackApp {
  app: App;
  updates: CardUpdates;
  /**
   * Follows the change stream once Slack has answered `auth.test` (asked again with growing waits
   * while it doesn't, saying so in the log); returns at once.
   */
  startSync(): Background;
}

/** What the app needs whichever way Slack reaches it. */
type AppSettings = Omit<SlackAppSettings, 'SLACK_PORT' | 'SLACK_SIGNING_SECRET' | 'SLACK_APP_TOKEN'>;

function buildSlackApp(
  settings: AppSettings,
  receiver: HTTPReceiver | SocketModeReceiver,
  log: Log,
): BuiltSlackApp {
  const bot = new Bot(settings.SLACK_BOT_TOKEN, settings.SLACK_API_URL);
  const app = new App({
    authorize: bot.authorize,
    receiver,
    clientOptions: { slackApiUrl: settings.SLACK_API_URL },
    logLevel: LogLevel.ERROR,
  });
  const faultline = new Faultline({
    baseUrl: settings.FAULTLINE_URL,
    token: settings.FAULTLINE_TOKEN,
    organization: settings.FAULTLINE_ORGANIZATION,
  });
  const updates = new CardUpdates(
    async (card, message) => {
      await bot.client.chat.update({
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
    startSync() {
      const stop = new AbortController();
      let sync: Background | undefined;
      const starting = retried(log, 'reaching Slack (auth.test)', () => bot.whoAmI(), stop)
        .then(async ({ team }) => {
          if (stop.signal.aborted) return;
          log('Slack answered; card sync starts', { team });
          sync = await startCardSync({ faultline, updates, client: bot.client, team, log });
        })
        // Only when stopped before Slack answered.
        .catch(() => undefined);
      return {
        async stop() {
          stop.abort();
          await starting;
          await sync?.stop();
        },
      };
    },
  };
}

/** Socket Mode's receiver: Slack's messages arrive on a WebSocket the app opens (no public URL). */
function socketModeReceiver(appToken: string, slackApiUrl: string): SocketModeReceiver {
  return new SocketModeReceiver({
    appToken,
    installerOptions: { clientOptions: { slackApiUrl } },
    logLevel: LogLevel.ERROR,
  });
}

/**
 * Opens the Socket Mode connection in the background: the client retries `apps.connections.open`
 * itself while Slack is unreachable, and anything it gives up on is tried again here.
 */
function connectSocketMode(app: App, log: Log): Background {
  const stop = new AbortController();
  const connecting = retried(log, 'connecting to Slack over Socket Mode', () => app.start(), stop).then(
    () => log('connected to Slack over Socket Mode', {}),
    () => undefined,
  );
  return {
    async stop() {
      stop.abort();
      await app.stop();
      await connecting;
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
  if (settings.SLACK_APP_TOKEN) {
    const receiver = socketModeReceiver(settings.SLACK_APP_TOKEN, settings.SLACK_API_URL);
    const { app, updates, startSync } = buildSlackApp(settings, receiver, log);
    const sync = startSync();
    const socket = connectSocketMode(app, log);
    return {
      url: undefined,
      idle: () => updates.idle(),
      async stop() {
        await sync.stop();
        await socket.stop();
      },
    };
  }
  const receiver = new HTTPReceiver({
    signingSecret: settings.SLACK_SIGNING_SECRET,
    endpoints: EVENTS_PATH,
    logLevel: LogLevel.ERROR,
  });
  const { app, updates, startSync } = buildSlackApp(settings, receiver, log);
  const sync = startSync();
  const started = (await app.start(settings.SLACK_PORT)) as Server;
  return {
    url: `http://127.0.0.1:${(started.address() as AddressInfo).port}`,
    idle: () => updates.idle(),
    async stop() {
      await sync.stop();
      await app.stop();
    },
  };
}

/** The app as a part of another HTTP server (`faultline start`): no port of its own. */
export interface MountedSlackApp {
  /**
   * Answers a request to `EVENTS_PATH` (events, interactivity, slash commands, options): verified
   * with the signing secret (else 401), acknowledged, then handled. Reads the body itself. Absent in
   * Socket Mode, where Slack's requests arrive over the app's own WebSocket.
   */
  handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /**
   * Starts card sync, and the Socket Mode connection when configured, in the background: Slack not
   * answering yet is logged and retried, never an error. Call once the Faultline URL answers.
   */
  start(): void;
  /** Resolves when every card update asked for so far is done. */
  idle(): Promise<void>;
  /** Stops card sync (and Socket Mode) and waits for the card updates under way. */
  stop(): Promise<void>;
}

/** The settings for mounting: the signing secret (HTTP), or the app token (Socket Mode). */
export type MountedSlackAppSettings = AppSettings &
  Partial<Pick<SlackAppSettings, 'SLACK_SIGNING_SECRET' | 'SLACK_APP_TOKEN'>>;

/**
 * The Slack app for mounting on a server that is not its own: Bolt's HTTP receiver is used only as a
 * request listener (never `start`ed), so the host decides the port, timeouts and shutdown; or, with
 * an app token, Socket Mode, which needs no route at all.
 */
export function mountableSlackApp(settings: MountedSlackAppSettings, log: Log = defaultLog): MountedSlackApp {
  const appToken = settings.SLACK_APP_TOKEN;
  const signingSecret = settings.SLACK_SIGNING_SECRET;
  if (!appToken && !signingSecret)
    throw new Error('The Slack app needs SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN for Socket Mode');
  const receiver = appToken
    ? socketModeReceiver(appToken, settings.SLACK_API_URL)
    : new HTTPReceiver({ signingSecret: signingSecret!, endpoints: EVENTS_PATH, logLevel: LogLevel.ERROR });
  const { app, updates, startSync } = buildSlackApp(settings, receiver, log);
  let running: Background[] = [];
  return {
    handle: receiver instanceof HTTPReceiver ? (req, res) => receiver.requestListener(req, res) : undefined,
    start() {
      running = [startSync(), ...(appToken ? [connectSocketMode(app, log)] : [])];
    },
    idle: () => updates.idle(),
    async stop() {
      const stopping = running;
      running = [];
      for (const part of stopping) await part.stop();
      await updates.idle();
    },
  };
}
