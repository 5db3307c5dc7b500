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
import { PipelineWorker } from '../pipeline';
import {
  HookDispatcher,
  mountPluginRoutes,
  PluginAdmin,
  PluginAlertActions,
  PluginHost,
  type PluginSettingsStore,
  routesOf,
  startScheduledTasks,
} from '../plugins';
import { startAlertWorkers, type AlertWorkers } from '../alerts';
import { pruneChanges } from '../changes';
import { JobQueue } from '../jobs';
import { ChangeStreams, mountApiRoutes } from '../api';
import { createHttpApp, webAssets } from '../http';
import { lockDataDir } from './data-dir-lock';
import { PipelineThread } from './pipeline-thread';
import { pluginHostStart } from './plugin-host-options';
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
  /** The in-process pipeline worker; undefined when there is none or it runs on its own thread. */
  worker: PipelineWorker | undefined;
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
  const partitions = container.resolve(TOKENS.EventPartitions);
  const secretKey = loadSecretKey(config);
  // One job queue per process; only processes that run workers fire cron schedules and maintain it.
  const queue = await JobQueue.start(db.knex, log.child({ component: 'jobs' }), {
    maintenance: options.workers,
  });
  // Plugins load in every process: the HTTP side needs them for their routes, the catalogue and to
  // check alert actions; workers for hooks, alert actions and scheduled tasks; the pipeline (here,
  // or on its thread, which loads its own) for processEvent.
  const { host: plugins, settings: pluginSettings } = await startPluginHost(runtime, secretKey);
  // Serving HTTP on Postgres, the pipeline gets a thread of its own: batch processing then neither
  // delays acknowledgements nor shares their event loop. PGlite is one in-process connection, and a
  // `faultline worker` process has nothing else to do, so both keep the workers on the main thread.
  // The thread loads only the plugins this process found to have a processEvent hook.
  const eventPlugins = plugins.loaded.filter((p) => p.hooks.processEvent);
  const thread =
    options.workers && options.http && config.database.kind === 'postgres' && PipelineThread.supported
      ? new PipelineThread(
          {
            databaseUrl: config.database.url,
            logLevel: config.logLevel,
            batchSize: config.worker.batchSize,
            concurrency: config.worker.concurrency,
            idlePollMs: PIPELINE_IDLE_POLL_MS,
            plugins: {
              ...config.plugins,
              specs: eventPlugins.filter((p) => !p.builtin).map((p) => p.source),
            },
            builtins: eventPlugins.filter((p) => p.builtin).map((p) => p.source),
            secretKey: secretKey.toString('base64'),
            publicUrl: config.http.publicUrl,
          },
          log,
        )
      : undefined;
  const alertActions = new PluginAlertActions(plugins, config.plugins.hookBudgetMs);
  const worker =
    options.workers && !thread
      ? new PipelineWorker(db.knex, partitions, log.child({ component: 'pipeline' }), {
          batchSize: config.worker.batchSize,
          concurrency: db.kind === 'embedded' ? 1 : config.worker.concurrency,
          idlePollMs: PIPELINE_IDLE_POLL_MS,
          processEvent: plugins.hasEventProcessors
            ? (event, trx, projectId) => plugins.processEvent(event, trx, projectId)
            : undefined,
        })
      : undefined;
  const maintenance = options.workers ? startMaintenance(runtime, partitions) : undefined;
  if (maintenance) await maintenance.first;
  worker?.start();
  thread?.start();
  // Rows committed to the queue by this process or any other wake the idle loops.
  // The count is unknown here (and this process's own flushes report theirs through onCommitted).
  if (worker || thread) db.signals.on('rawEvents', () => (thread ?? worker)?.wake());
  // Issue hooks, alert actions and plugins' scheduled tasks run as jobs in worker processes (never
  // on requests); hooks are fanned out from the change outbox.
  const hooks = options.workers
    ? new HookDispatcher(plugins, {
        knex: db.knex,
        log: log.child({ component: 'plugin-hooks' }),
        queue,
        hookBudgetMs: config.plugins.hookBudgetMs,
      })
    : undefined;
  await hooks?.start();
  if (options.workers)
    await startScheduledTasks(plugins, { queue, log: log.child({ component: 'plugin-tasks' }) });
  // Alert rules are evaluated from the same outbox, by whichever worker holds the alert cursor's lease.
  const alerts: AlertWorkers | undefined = options.workers
    ? await startAlertWorkers({
        knex: db.knex,
        queue,
        log: log.child({ component: 'alerts' }),
        publicUrl: config.http.publicUrl,
        actions: alertActions,
      })
    : undefined;

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
        (thread ?? worker)?.wake(rows);
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
    worker,
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
      maintenance?.stop();
      await Promise.all([worker?.stop(), thread?.stop(), hooks?.stop(), alerts?.stop()]);
      await queue.stop();
      await plugins.stop();
    },
  };
}

/** Loads the plugins listed in PLUGINS and the built-ins, with per-organization/project settings. */
async function startPluginHost(
  runtime: Runtime,
  secretKey: Buffer,
): Promise<{ host: PluginHost; settings: PluginSettingsStore }> {
  const { config, log, db, container } = runtime;
  const { specs, options, settings } = pluginHostStart({
    knex: db.knex,
    log: log.child({ component: 'plugins' }),
    plugins: config.plugins,
    secretKey,
    publicUrl: config.http.publicUrl,
    role: { container },
  });
  return { host: await PluginHost.start(specs, options), settings };
}

const HOUR_MS = 3_600_000;
/**
 * How often an idle pipeline loop looks at the queue unasked: new rows are announced (`rawEvents`
 * signal), so this is only the safety net for a lost announcement.
 */
const PIPELINE_IDLE_POLL_MS = 30_000;
/** How long a graceful stop lets requests in flight finish before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Hourly: keeps upcoming daily event partitions created, drops the ones past retention and prunes
 * the issue change outbox past the same retention.
 */
function startMaintenance(
  runtime: Runtime,
  partitions: EventPartitions,
): { first: Promise<void>; stop(): void } {
  const run = async () => {
    const now = Date.now();
    await partitions.ensureFor([0, 1, 2].map((d) => new Date(now + d * 86_400_000)));
    const dropped = await partitions.dropOlderThan(runtime.config.retentionDays);
    if (dropped.length > 0) runtime.log.info({ dropped }, 'dropped event partitions past retention');
    const pruned = await pruneChanges(
      runtime.db.knex,
      new Date(now - runtime.config.retentionDays * 86_400_000),
    );
    if (pruned > 0) runtime.log.info({ pruned }, 'pruned issue changes past retention');
  };
  const timer = setInterval(
    () => run().catch((err) => runtime.log.error({ err }, 'maintenance failed')),
    HOUR_MS,
  );
  timer.unref();
  return { first: run(), stop: () => clearInterval(timer) };
}
