import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type HTTPReceiverOptions } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { Bot } from './bot';
import { CardUpdates } from './card-updates';
import { registerCommands } from './commands';
import { Faultline } from './faultline';
import { FaultlineInstallationStore } from './installation-store';
import { registerEvents } from './events';
import { registerInteractions } from './interactions';
import { registerIssueActions } from './issue-actions';
import { retried, type Log } from './retry';
import { workspacesOf, type SlackAppSettings, type Workspaces } from './settings';
import { startCardSync } from './sync';

/** Where Slack sends events, interactivity, slash commands and options (Bolt's default: one URL). */
export const EVENTS_PATH = '/slack/events';
/** The OAuth install flow: where an admin starts installing, and where Slack sends them back. */
export const INSTALL_PATH = '/slack/install';
export const OAUTH_REDIRECT_PATH = '/slack/oauth_redirect';

/** The bot scopes the app asks for when installed (the manifest's, slack-app/README.md). */
const BOT_SCOPES = ['chat:write', 'chat:write.public', 'commands', 'links:read', 'links:write', 'users:read'];

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

/**
 * Who the app acts as in each workspace: the one bot of the settings (asked `auth.test` on demand,
 * so Slack down at start-up stops nothing), or the bot of each workspace's installation, kept in
 * Faultline (Bolt then authorizes each request from the installation store).
 */
interface Bots {
  /** For Bolt: undefined when the receiver's OAuth installer authorizes. */
  authorize: Bot['authorize'] | undefined;
  tokenFor(team: string): Promise<string | undefined>;
  /** Resolves once Slack answered for the configured bot (at once for installations). */
  ready(log: Log, stop: AbortController): Promise<unknown>;
}

/**
 * What both the receiver and the handlers use, made once: Faultline through the API with the app's
 * token in its organization, the workspaces the settings name, and the installation store.
 */
interface Parts {
  faultline: Faultline;
  workspaces: Workspaces;
  store: FaultlineInstallationStore;
}

function partsOf(settings: AppSettings): Parts {
  const faultline = new Faultline({
    baseUrl: settings.FAULTLINE_URL,
    token: settings.FAULTLINE_TOKEN,
    organization: settings.FAULTLINE_ORGANIZATION,
  });
  return { faultline, workspaces: workspacesOf(settings), store: new FaultlineInstallationStore(faultline) };
}

function botsOf({ workspaces, store }: Parts, slackApiUrl: string): Bots {
  if (workspaces.kind === 'installed')
    return { authorize: undefined, tokenFor: (team) => store.botToken(team), ready: async () => undefined };
  const bot = new Bot(workspaces.botToken, slackApiUrl);
  return {
    authorize: bot.authorize,
    tokenFor: async (team) => ((await bot.whoAmI()).team === team ? bot.token : undefined),
    ready: (log, stop) =>
      retried(log, 'reaching Slack (auth.test)', () => bot.whoAmI(), stop).then((identity) => {
        log('Slack answered; card sync starts', { team: identity.team });
      }),
  };
}

function buildSlackApp(
  parts: Parts,
  settings: AppSettings,
  receiver: HTTPReceiver | SocketModeReceiver,
  log: Log,
): BuiltSlackApp {
  const { faultline } = parts;
  const bots = botsOf(parts, settings.SLACK_API_URL);
  const app = new App({
    ...(bots.authorize ? { authorize: bots.authorize } : {}),
    receiver,
    clientOptions: { slackApiUrl: settings.SLACK_API_URL },
    logLevel: LogLevel.ERROR,
  });
  // Card updates and thread replies name the workspace's token in each call.
  const client = new WebClient(undefined, { slackApiUrl: settings.SLACK_API_URL });
  const updates = new CardUpdates(
    async (card, message) => {
      const token = await bots.tokenFor(card.team);
      if (token === undefined) return;
      await client.chat.update({
        token,
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
      const starting = bots
        .ready(log, stop)
        .then(async () => {
          if (stop.signal.aborted) return;
          sync = await startCardSync({ faultline, updates, client, tokenFor: bots.tokenFor, log });
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

/**
 * Bolt's HTTP receiver at `EVENTS_PATH`, verifying each request with the signing secret; with the
 * OAuth settings it also serves `INSTALL_PATH` (straight on to Slack's consent page, the state
 * signed and kept in a cookie) and `OAUTH_REDIRECT_PATH`, which exchanges the code
 * (`oauth.v2.access`) and stores the installation in Faultline.
 */
function httpReceiver(
  { workspaces, store }: Parts,
  settings: AppSettings,
  signingSecret: string,
): HTTPReceiver {
  const options: HTTPReceiverOptions = { signingSecret, endpoints: EVENTS_PATH, logLevel: LogLevel.ERROR };
  if (workspaces.kind === 'one') return new HTTPReceiver(options);
  return new HTTPReceiver({
    ...options,
    clientId: workspaces.clientId,
    clientSecret: workspaces.clientSecret,
    stateSecret: workspaces.stateSecret,
    scopes: BOT_SCOPES,
    installationStore: store,
    installerOptions: {
      directInstall: true,
      installPath: INSTALL_PATH,
      redirectUriPath: OAUTH_REDIRECT_PATH,
      clientOptions: { slackApiUrl: settings.SLACK_API_URL },
    },
  });
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
 * Starts the Slack app on its own: the mounted app (below) with an HTTP server of its own on
 * `SLACK_PORT` for the receiver (requests verified with the signing secret: HMAC over
 * `v0:timestamp:body`, five-minute window, else 401), or over Socket Mode when `SLACK_APP_TOKEN`
 * is set; the card buttons; and card sync from the change stream.
 */
export async function startSlackApp(
  settings: SlackAppSettings,
  log: Log = defaultLog,
): Promise<RunningSlackApp> {
  const mounted = mountableSlackApp(settings, log);
  mounted.start();
  const idle = () => mounted.idle();
  if (!mounted.handle) return { url: undefined, idle, stop: () => mounted.stop() };
  const server = createServer(mounted.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.SLACK_PORT, resolve);
    });
  } catch (error) {
    await mounted.stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    idle,
    async stop() {
      await mounted.stop();
      const closed = new Promise((resolve) => server.close(resolve));
      // Kept-alive connections would hold `close` until they time out.
      server.closeIdleConnections();
      await closed;
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
  const parts = partsOf(settings);
  const receiver = appToken
    ? socketModeReceiver(appToken, settings.SLACK_API_URL)
    : httpReceiver(parts, settings, signingSecret!);
  const { app, updates, startSync } = buildSlackApp(parts, settings, receiver, log);
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
