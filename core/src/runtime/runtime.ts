import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Config } from '../config';
import { createLogger, type Logger } from '../logging';
import { connectDatabase, migrateToLatest, EventPartitions, type Database } from '../db';
import { AccountsRepository } from '../accounts';
import { createAuthServices, loadSecretKey } from '../auth';
import { Mailer } from '../mail';
import type { PluginHost } from '../plugins';
import type { JobQueue } from '../jobs';
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
  searchIndexerModule,
  type PipelineLoop,
} from './features';
import { apiModule, HTTP, HTTP_WIRING, httpServerModule, ingestModule } from './http-modules';
import { given, startModules } from './modules';
import { PipelineThread, pipelineThreadModule } from './pipeline-thread';
import { slackAppModule, slackSyncModule } from './slack-module';
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

/**
 * Starts the pipeline workers (when asked) and the HTTP server (when asked) from the feature modules of
 * features.ts and http-modules.ts; `stop()` stops them in reverse: the server first, then the ingest
 * writer drains, then the workers.
 */
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
            searchIndexerModule,
          ]
        : []),
      ...(options.http ? [ingestModule, apiModule, slackAppModule, httpServerModule, slackSyncModule] : []),
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
      given(HTTP_WIRING, {
        accounts: container.resolve(TOKENS.Accounts),
        auth: container.resolve(TOKENS.Auth),
        signals: db.signals,
      }),
      // Without workers, this process runs no pipeline for ingestion to wake.
      ...(options.workers ? [] : [given(SERVICES.pipeline, undefined)]),
      given(PIPELINE_SETTINGS, {
        batchSize: config.worker.batchSize,
        concurrency: db.kind === 'embedded' ? 1 : config.worker.concurrency,
        idlePollMs: PIPELINE_IDLE_POLL_MS,
      }),
    ],
  );
  const { host: plugins } = modules.get(SERVICES.plugins);
  const queue = modules.get(SERVICES.queue);
  const pipeline = options.workers ? modules.get(SERVICES.pipeline) : undefined;
  // Rows committed to the queue by this process or any other wake the idle loops.
  // The count is unknown here (and this process's own flushes report theirs through onCommitted).
  if (pipeline) db.signals.on('rawEvents', () => pipeline.wake());

  return {
    url: options.http ? modules.get(HTTP.server).url : config.http.publicUrl,
    worker: pipeline,
    plugins,
    queue,
    stop: () => modules.stop(),
  };
}

/**
 * How often an idle pipeline loop looks at the queue unasked: new rows are announced (`rawEvents`
 * signal), so this is only the safety net for a lost announcement.
 */
const PIPELINE_IDLE_POLL_MS = 30_000;
