import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Config } from '../config';
import { createLogger, type Logger } from '../logging';
import { connectDatabase, migrateToLatest, EventPartitions, type Database } from '../db';
import { AccountsRepository } from '../accounts';
import { createAuthServices, loadSecretKey } from '../auth';
import { Mailer } from '../mail';
import {
  IngestQueueWriter,
  IngestService,
  KeyRateLimiter,
  ProjectKeyCache,
  mountIngestRoutes,
} from '../ingest';
import { mountPluginRoutes, PluginAdmin, routesOf, type PluginHost } from '../plugins';
import type { JobQueue } from '../jobs';
import { ChangeStreams, mountApiRoutes } from '../api';
import { createHttpApp, webAssets } from '../http';
import { lockDataDir } from './data-dir-lock';
import {
  CORE,
  MAIN,
  PIPELINE_SETTINGS,
  PLUGIN_WIRING,
  SERVICES,
  alertActionsModule,
  alertsModule,
  hooksModule,
  maintenanceModule,
  pipelineModule,
  pluginsModule,
  queueModule,
  scheduledTasksModule,
  searchModule,
  type PipelineLoop,
} from './features';
import { given, startModules } from './modules';
import { PipelineThread, pipelineThreadModule } from './pipeline-thread';
import { TOKENS } from './tokens';

export interface Runtime {
  config: Config;
  log: Logger;
  db: Database;
  container: DependencyContainer;
  close(): Promise<void>;
}

/** Opens the database (locking an embedded one to this process), migrates it and registers core services. */
export async function openRuntime(config: Config, log = createLogger(config.logLevel)): Promise<Runtime> {
  const unlock = config.database.kind === 'embedded' ? lockDataDir(config.dataDir) : () => undefined;
  let db: Database;
  let secretKey: Buffer;
  try {
    // First, so a missing SECRET_KEY stops start-up before anything else happens.
    secretKey = loadSecretKey(config);
    db = connectDatabase(config.database);
    await migrateToLatest(db.knex);
  } catch (error) {
    unlock();
    throw error;
  }
  const container = rootContainer.createChildContainer();
  container.register(TOKENS.Config, { useValue: config });
  container.register(TOKENS.Logger, { useValue: log });
  container.register(TOKENS.Database, { useValue: db });
  container.register(TOKENS.Knex, { useValue: db.knex });
  container.register(TOKENS.EventPartitions, { useValue: new EventPartitions(db.knex) });
  container.register(TOKENS.Accounts, { useValue: new AccountsRepository(db.knex) });
  const mailer = new Mailer(config.mail, log.child({ component: 'mail' }));
  container.register(TOKENS.Mailer, { useValue: mailer });
  container.register(TOKENS.Auth, {
    useValue: createAuthServices({
      knex: db.knex,
      secretKey,
      publicUrl: config.http.publicUrl,
      mailer,
      log: log.child({ component: 'auth' }),
    }),
  });
  return {
    config,
    log,
    db,
    container,
    close: async () => {
      mailer.close();
      await db.close();
      unlock();
    },
  };
}

export interface RunningServer {
  url: string;
  /** This process's pipeline (in-process or on its thread); undefined when it runs no workers. */
  worker: PipelineLoop | undefined;
  /** This process's plugins (a pipeline thread loads its own, for processEvent). */
  plugins: PluginHost;
  /** This process's job queue. */
  queue: JobQueue;
  stop(): Promise<void>;
}

/** Starts the pipeline workers (when asked) and the HTTP server; `stop()` drains both. */
export async function startServices(
  runtime: Runtime,
  options: { http: boolean; workers: boolean },
): Promise<RunningServer> {
  const { config, log, db, container } = runtime;
  const secretKey = loadSecretKey(config);
  // Serving HTTP on Postgres, the pipeline gets a thread of its own: batch processing then neither
  // delays acknowledgements nor shares their event loop. PGlite is one in-process connection, and a
  // `faultline worker` process has nothing else to do, so both keep the workers on the main thread.
  const pipelineOnThread =
    options.workers && options.http && config.database.kind === 'postgres' && PipelineThread.supported;
  // Plugins load in every process: the HTTP side needs them for their routes, the catalogue and to
  // check alert actions; workers for hooks, alert actions and scheduled tasks; the pipeline (here,
  // or on its thread, which loads its own) for processEvent. Listed first so they stop last, after
  // the jobs that call them. Maintenance runs before the pipeline starts (it creates partitions).
  const modules = await startModules(
    [
      pluginsModule,
      queueModule,
      alertActionsModule,
      searchModule,
      ...(options.workers
        ? [
            maintenanceModule,
            pipelineOnThread ? pipelineThreadModule : pipelineModule,
            hooksModule,
            scheduledTasksModule,
            alertsModule,
          ]
        : []),
    ],
    [
      given(CORE.knex, db.knex),
      given(CORE.log, log),
      given(CORE.partitions, container.resolve(TOKENS.EventPartitions)),
      given(MAIN.config, config),
      given(MAIN.runsWorkers, options.workers),
      given(PLUGIN_WIRING, {
        plugins: config.plugins,
        secretKey,
        publicUrl: config.http.publicUrl,
        role: { container },
      }),
      given(PIPELINE_SETTINGS, {
        batchSize: config.worker.batchSize,
        concurrency: db.kind === 'embedded' ? 1 : config.worker.concurrency,
        idlePollMs: PIPELINE_IDLE_POLL_MS,
      }),
    ],
  );
  const { host: plugins, settings: pluginSettings } = modules.get(SERVICES.plugins);
  const queue = modules.get(SERVICES.queue);
  const alertActions = modules.get(SERVICES.alertActions);
  const pipeline = options.workers ? modules.get(SERVICES.pipeline) : undefined;
  // Rows committed to the queue by this process or any other wake the idle loops.
  // The count is unknown here (and this process's own flushes report theirs through onCommitted).
  if (pipeline) db.signals.on('rawEvents', () => pipeline.wake());

  let server: http.Server | undefined;
  let stopping = false;
  let url = config.http.publicUrl;
  let writer: IngestQueueWriter | undefined;
  const changeStreams = new ChangeStreams(db.knex);
  if (options.http) {
    writer = new IngestQueueWriter(db.knex, {
      // PGlite has a single connection; on Postgres two flushes overlap so one waits on fsync while the next fills.
      maxInFlight: db.kind === 'embedded' ? 1 : 2,
      bytesAsHex: db.kind === 'embedded',
      // This process's pipeline learns how many rows came (it gathers small trickles into batches);
      // any `faultline worker` is woken through the signal.
      onCommitted: (rows) => {
        pipeline?.wake(rows);
        db.signals.announce('rawEvents');
      },
    });
    const keyCache = new ProjectKeyCache(container.resolve(TOKENS.Accounts));
    const ingest = new IngestService(keyCache, new KeyRateLimiter(), writer, config.limits);
    const app = createHttpApp(
      log,
      [
        (router) =>
          mountIngestRoutes(router, ingest, {
            ...config.limits,
            bodyIdleTimeoutMs: config.http.bodyIdleTimeoutMs,
          }),
        (router) =>
          mountApiRoutes(router, {
            knex: db.knex,
            accounts: container.resolve(TOKENS.Accounts),
            config,
            auth: container.resolve(TOKENS.Auth),
            onProjectKeyChanged: (publicKey) => keyCache.invalidate(publicKey),
            changeStreams,
            issueSearch: modules.get(SERVICES.search),
            alertActions,
            plugins: new PluginAdmin(plugins, pluginSettings),
          }),
        // Plugins' own routes (webhook receivers and the like), under /api/0/plugins/{id}/.
        (router) =>
          mountPluginRoutes(router, (pluginId) => routesOf(plugins, pluginId), {
            bodyLimitBytes: config.limits.maxBodyBytes,
            bodyIdleTimeoutMs: config.http.bodyIdleTimeoutMs,
            timeoutMs: config.plugins.hookBudgetMs,
            log: log.child({ component: 'plugin-routes' }),
            isolate: (pluginId, call, timeoutMs) =>
              plugins.runIsolated(pluginId, call, timeoutMs, `plugin ${pluginId}: route`),
          }),
      ],
      webAssets(config.http.webDir),
    );
    server = http.createServer(
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
      server!.once('error', reject);
      server!.listen(config.http.port, config.http.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    if (config.http.port === 0) url = `http://${config.http.host}:${address.port}`;
    log.info({ url, database: db.kind }, 'faultline is listening');
  }
  return {
    url,
    worker: pipeline,
    plugins,
    queue,
    stop: async () => {
      if (server) {
        stopping = true;
        // Change streams never finish on their own; clients reconnect elsewhere with Last-Event-ID.
        changeStreams.closeAll();
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        // Connections busy right now go idle after their answer; close them as they do. Requests
        // still unanswered after the grace period are cut (their SDKs will count them as not sent).
        const sweep = setInterval(() => server!.closeIdleConnections(), 50);
        const deadline = setTimeout(() => server!.closeAllConnections(), SHUTDOWN_GRACE_MS);
        server.closeIdleConnections();
        try {
          await closed;
        } finally {
          clearInterval(sweep);
          clearTimeout(deadline);
        }
      }
      await writer?.drain();
      await modules.stop();
    },
  };
}

/**
 * How often an idle pipeline loop looks at the queue unasked: new rows are announced (`rawEvents`
 * signal), so this is only the safety net for a lost announcement.
 */
const PIPELINE_IDLE_POLL_MS = 30_000;
/** How long a graceful stop lets requests in flight finish before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000;
