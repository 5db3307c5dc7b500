import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Authorize, type Logger } from '@slack/bolt';
import { InstallProvider } from '@slack/oauth';
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
import { workspacesOf, type SlackAppSettings, type SlackSettings, type Workspaces } from './settings';
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

/** What the app needs whichever way it runs: where Faultline is, and the Slack settings. */
type AppSettings = Pick<SlackAppSettings, 'FAULTLINE_URL' | 'FAULTLINE_TOKEN' | 'FAULTLINE_ORGANIZATION'> &
  SlackSettings;

/**
 * Who the app acts as in each workspace: the one bot of the settings (asked `auth.test` on demand,
 * so Slack down at start-up stops nothing), or the bot of each workspace's installation, kept in
 * Faultline (Bolt then authorizes each request from the installation store).
 */
interface Bots {
  /** For Bolt: the one bot's identity, or the installation of the request's workspace. */
  authorize: Authorize<boolean>;
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
  /** The OAuth install flow (`@slack/oauth`), with the OAuth settings. */
  installer: InstallProvider | undefined;
}

function partsOf(settings: AppSettings, log: Log): Parts {
  const faultline = new Faultline({
    baseUrl: settings.FAULTLINE_URL,
    token: settings.FAULTLINE_TOKEN,
    organization: settings.FAULTLINE_ORGANIZATION,
  });
  const workspaces = workspacesOf(settings);
  const store = new FaultlineInstallationStore(faultline);
  return {
    faultline,
    workspaces,
    store,
    installer: installerOf(workspaces, store, settings.SLACK_API_URL, log),
  };
}

/**
 * Slack's OAuth install flow, made here rather than inside Bolt's HTTP receiver so that it works
 * the same whichever way Slack reaches the app (HTTP, standalone or inside `faultline start`, and
 * Socket Mode, whose redirect still needs an HTTP page): `INSTALL_PATH` goes straight on to
 * Slack's consent page with a signed state (also kept in a cookie), and `OAUTH_REDIRECT_PATH`
 * checks it, exchanges the code (`oauth.v2.access`) and stores the installation in Faultline.
 */
/** @slack/oauth's warnings and errors (a forged state, a refused code) as lines of the app's log. */
function oauthLogger(log: Log): Logger {
  let level = LogLevel.WARN;
  const line = (message: unknown[]) => log('the OAuth install flow: ' + message.map(String).join(' '), {});
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...message: unknown[]) => line(message),
    error: (...message: unknown[]) => line(message),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}

function installerOf(
  workspaces: Workspaces,
  store: FaultlineInstallationStore,
  slackApiUrl: string,
  log: Log,
): InstallProvider | undefined {
  if (workspaces.kind !== 'installed') return undefined;
  return new InstallProvider({
    clientId: workspaces.clientId,
    clientSecret: workspaces.clientSecret,
    stateSecret: workspaces.stateSecret,
    installationStore: store,
    directInstall: true,
    installUrlOptions: { scopes: BOT_SCOPES },
    clientOptions: { slackApiUrl },
    logger: oauthLogger(log),
  });
}

function botsOf({ workspaces, store, installer }: Parts, slackApiUrl: string): Bots {
  if (workspaces.kind === 'installed')
    return {
      // Each request is authorized from the installation of its workspace, read from Faultline.
      authorize: ((source) => installer!.authorize(source)) as Authorize<boolean>,
      tokenFor: (team) => store.botToken(team),
      ready: async () => undefined,
    };
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
    authorize: bots.authorize,
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
 * Bolt's HTTP receiver at `EVENTS_PATH`, verifying each request with the signing secret (HMAC over
 * `v0:timestamp:body`, five-minute window, else 401).
 */
function httpReceiver(signingSecret: string): HTTPReceiver {
  return new HTTPReceiver({ signingSecret, endpoints: EVENTS_PATH, logLevel: LogLevel.ERROR });
}

/** A page the app answers, for whichever HTTP server it is mounted on. */
export interface SlackRoute {
  method: 'GET' | 'POST';
  path: string;
  /** Reads the request itself (Bolt checks the signature over the raw body) and writes the answer. */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/** The OAuth install flow's two pages. */
function oauthRoutes(installer: InstallProvider, log: Log): SlackRoute[] {
  const failed = (res: ServerResponse, error: unknown) => {
    log('the OAuth install flow failed', { error: String(error) });
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Installing the Slack app failed; try again from the install page.');
  };
  return [
    {
      method: 'GET',
      path: INSTALL_PATH,
      handle: (req, res) => void installer.handleInstallPath(req, res).catch((error) => failed(res, error)),
    },
    {
      // Slack's failure page for a bad state or code is @slack/oauth's own (an error status).
      method: 'GET',
      path: OAUTH_REDIRECT_PATH,
      handle: (req, res) => void installer.handleCallback(req, res).catch((error) => failed(res, error)),
    },
  ];
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
  const { routes } = mounted;
  if (routes.length === 0) return { url: undefined, idle, stop: () => mounted.stop() };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://app').pathname;
    const found = routes.find((route) => route.path === path && route.method === req.method);
    if (found) return found.handle(req, res);
    res.writeHead(404).end();
  });
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
   * The pages to serve: `POST EVENTS_PATH` (events, interactivity, slash commands, options: verified
   * with the signing secret, else 401; acknowledged, then handled), absent in Socket Mode, where
   * Slack's requests arrive over the app's own WebSocket; and with the OAuth settings, in either
   * mode, `GET INSTALL_PATH` and `GET OAUTH_REDIRECT_PATH`.
   */
  routes: SlackRoute[];
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

/** The settings for mounting: where Faultline is, and the Slack settings (`readSlackSettings`). */
export type MountedSlackAppSettings = AppSettings;

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
  const parts = partsOf(settings, log);
  const receiver = appToken
    ? socketModeReceiver(appToken, settings.SLACK_API_URL)
    : httpReceiver(signingSecret!);
  const { app, updates, startSync } = buildSlackApp(parts, settings, receiver, log);
  let running: Background[] = [];
  return {
    routes: [
      ...(receiver instanceof HTTPReceiver
        ? [{ method: 'POST' as const, path: EVENTS_PATH, handle: receiver.requestListener.bind(receiver) }]
        : []),
      ...(parts.installer ? oauthRoutes(parts.installer, log) : []),
    ],
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
