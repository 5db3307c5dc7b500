import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccountsRepository } from '../accounts';
import type { AuthServices } from '../auth';
import type { DatabaseSignals } from '../db';
import { ChangeStreams, mountApiRoutes } from '../api';
import { createHttpApp, webAssets, type RouteMounter } from '../http';
import {
  IngestQueueWriter,
  IngestService,
  KeyRateLimiter,
  ProjectKeyCache,
  mountIngestRoutes,
} from '../ingest';
import { IssueActions, mountPluginRoutes, PluginAdmin, PluginSourceLinks, routesOf } from '../plugins';
import { CORE, MAIN, SERVICES } from './features';
import { defineModule, serviceRef } from './modules';

/**
 * The HTTP side of `faultline start` as feature modules: ingestion (with its queue writer), the REST
 * API (with plugins' routes and the change streams) and the server that serves them with the web UI.
 * Started in that order, they stop in reverse: the server stops taking requests and closes its
 * connections first, then the writer commits what was acknowledged, then the rest.
 */

/** What the HTTP process gives besides `CORE` and `MAIN`. */
export const HTTP_WIRING = serviceRef<{
  accounts: AccountsRepository;
  auth: AuthServices;
  /** Announces committed queue rows to the pipelines of other processes. */
  signals: DatabaseSignals;
}>('http.wiring');

/** A part of the HTTP app: its routes, and what to do when the server stops taking requests. */
export interface HttpPart {
  mount: RouteMounter;
  /** Ends what would keep the server from closing (open streams), before it closes. */
  beforeClose?(): void;
}

/** A part that also runs something once the server answers (the Slack app's card sync). */
export interface BackgroundHttpPart extends HttpPart {
  /** Called once the server listens; `stop` is called before the server stops. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const HTTP = {
  ingest: serviceRef<HttpPart & { forgetKey(publicKey: string): void }>('http.ingest'),
  api: serviceRef<HttpPart>('http.api'),
  /** The Slack app at `/slack/events` (slack-module.ts), or undefined when Slack is not configured. */
  slack: serviceRef<BackgroundHttpPart | undefined>('http.slack'),
  server: serviceRef<{ url: string }>('http.server'),
};

/** `/api/{project}/envelope/` and `/store/`: acknowledged events are committed to the queue by the writer. */
export const ingestModule = defineModule({
  id: 'ingest',
  provides: HTTP.ingest,
  needs: {
    knex: CORE.knex,
    config: MAIN.config,
    wiring: HTTP_WIRING,
    pipeline: SERVICES.pipeline,
  },
  async init({ knex, config, wiring, pipeline }) {
    const embedded = config.database.kind === 'embedded';
    const writer = new IngestQueueWriter(knex, {
      // PGlite has a single connection; on Postgres two flushes overlap so one waits on fsync while the next fills.
      maxInFlight: embedded ? 1 : 2,
      bytesAsHex: embedded,
      // This process's pipeline learns how many rows came (it gathers small trickles into batches);
      // any `faultline worker` is woken through the signal.
      onCommitted: (rows) => {
        pipeline?.wake(rows);
        wiring.signals.announce('rawEvents');
      },
    });
    const keyCache = new ProjectKeyCache(wiring.accounts);
    const ingest = new IngestService(keyCache, new KeyRateLimiter(), writer, config.limits);
    return {
      value: {
        mount: (router) =>
          mountIngestRoutes(router, ingest, {
            ...config.limits,
            bodyIdleTimeoutMs: config.http.bodyIdleTimeoutMs,
          }),
        forgetKey: (publicKey) => keyCache.invalidate(publicKey),
      },
      stop: () => writer.drain(),
    };
  },
});

/** The REST API under `/api/0/`, and plugins' own routes under `/api/0/plugins/{id}/`. */
export const apiModule = defineModule({
  id: 'api',
  provides: HTTP.api,
  needs: {
    knex: CORE.knex,
    log: CORE.log,
    config: MAIN.config,
    wiring: HTTP_WIRING,
    ingest: HTTP.ingest,
    plugins: SERVICES.plugins,
    search: SERVICES.search,
    alertActions: SERVICES.alertActions,
  },
  async init({ knex, log, config, wiring, ingest, plugins, search, alertActions }) {
    const changeStreams = new ChangeStreams(knex);
    const { host } = plugins;
    const mount: RouteMounter = (router) => {
      mountApiRoutes(router, {
        knex,
        accounts: wiring.accounts,
        config,
        auth: wiring.auth,
        onProjectKeyChanged: ingest.forgetKey,
        changeStreams,
        issueSearch: search,
        alertActions,
        plugins: new PluginAdmin(host, plugins.settings),
        issueActions: new IssueActions(host, {
          knex,
          publicUrl: config.http.publicUrl,
          log: log.child({ component: 'issue-actions' }),
        }),
        sourceLinks: new PluginSourceLinks(host, {
          budgetMs: config.plugins.hookBudgetMs,
          log: log.child({ component: 'source-links' }),
        }),
      });
      mountPluginRoutes(router, (pluginId) => routesOf(host, pluginId), {
        bodyLimitBytes: config.limits.maxBodyBytes,
        bodyIdleTimeoutMs: config.http.bodyIdleTimeoutMs,
        timeoutMs: config.plugins.hookBudgetMs,
        log: log.child({ component: 'plugin-routes' }),
        isolate: (pluginId, call, timeoutMs) =>
          host.runIsolated(pluginId, call, timeoutMs, `plugin ${pluginId}: route`),
        publicUrl: config.http.publicUrl,
        signedInUser: async (ctx) => {
          const cookie = ctx.cookies.get(wiring.auth.cookies.names.session);
          const found = await wiring.auth.authenticator.authenticate(cookie, undefined, ctx.method);
          return found?.user.id;
        },
      });
    };
    // Change streams never finish on their own; clients reconnect elsewhere with Last-Event-ID.
    return { value: { mount, beforeClose: () => changeStreams.closeAll() } };
  },
});

/** How a graceful stop lets requests in flight finish before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

/** The HTTP server: ingestion, the API, the Slack app when configured, then the web UI for what no route answered. */
export const httpServerModule = defineModule({
  id: 'http-server',
  provides: HTTP.server,
  needs: { log: CORE.log, config: MAIN.config, ingest: HTTP.ingest, api: HTTP.api, slack: HTTP.slack },
  async init({ log, config, ingest, api, slack }) {
    const parts: HttpPart[] = [ingest, api, ...(slack ? [slack] : [])];
    const app = createHttpApp(
      log,
      parts.map((part) => part.mount),
      webAssets(config.http.webDir),
    );
    let stopping = false;
    const server = http.createServer(
      {
        // Node's defaults (60 s for headers, 300 s for a request, checked every 30 s) let stalled
        // clients hold connections for minutes; these are settings, checked about every second.
        headersTimeout: config.http.headersTimeoutMs,
        requestTimeout: config.http.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, config.http.headersTimeoutMs),
      },
      app.callback(),
    );
    // Once stopping, every answer closes its connection: SDKs keep connections alive and busy, so
    // without this a loaded server would go on serving them and never finish closing.
    server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (stopping) res.setHeader('Connection', 'close');
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.port, config.http.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const url = config.http.port === 0 ? `http://${config.http.host}:${address.port}` : config.http.publicUrl;
    log.info({ url, database: config.database.kind }, 'faultline is listening');
    const stop = async () => {
      stopping = true;
      for (const part of parts) part.beforeClose?.();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Connections busy right now go idle after their answer; close them as they do. Requests
      // still unanswered after the grace period are cut (their SDKs will count them as not sent).
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      server.closeIdleConnections();
      try {
        await closed;
      } finally {
        clearInterval(sweep);
        clearTimeout(deadline);
      }
    };
    return { value: { url }, stop };
  },
});
