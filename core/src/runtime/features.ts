import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logging';
import type { EventPartitions } from '../db';
import { PipelineWorker } from '../pipeline';
import {
  HookDispatcher,
  PluginAlertActions,
  PluginHost,
  startScheduledTasks,
  type PluginSettingsStore,
} from '../plugins';
import { startAlertWorkers } from '../alerts';
import { pruneChanges } from '../changes';
import { JobQueue } from '../jobs';
import {
  PostgresIssueSearch,
  TypesenseIndexer,
  TypesenseIssueSearch,
  typesenseClient,
  type IssueSearchIndex,
} from '../search';
import { defineModule, serviceRef } from './modules';
import { pluginHostStart, type PluginHostWiring } from './plugin-host-options';

/**
 * The feature modules of core and the services they share. Each process picks its list (see
 * runtime.ts and pipeline-thread.ts); what a module needs comes from the values the process gives
 * or from another module.
 */

/** What every process gives its modules. */
export const CORE = {
  knex: serviceRef<Knex>('core.knex'),
  log: serviceRef<Logger>('core.log'),
  partitions: serviceRef<EventPartitions>('core.eventPartitions'),
};

/** What the main process (`faultline start` / `worker`) gives besides. */
export const MAIN = {
  config: serviceRef<Config>('core.config'),
  /** Whether this process runs the workers (pipeline, jobs, maintenance). */
  runsWorkers: serviceRef<boolean>('core.runsWorkers'),
};

/** How a process's plugin host differs from another's (see `PluginHostWiring`). */
export const PLUGIN_WIRING = serviceRef<Omit<PluginHostWiring, 'knex' | 'log'>>('plugins.wiring');

/** The pipeline's batching, or undefined where this process runs no pipeline loop itself. */
export const PIPELINE_SETTINGS = serviceRef<
  { batchSize: number; concurrency: number; idlePollMs: number } | undefined
>('pipeline.settings');

/** The running pipeline, in-process or on its thread: told when rows were committed to the queue. */
export interface PipelineLoop {
  wake(rows?: number): void;
}

export const SERVICES = {
  plugins: serviceRef<{ host: PluginHost; settings: PluginSettingsStore }>('plugins.host'),
  pipeline: serviceRef<PipelineLoop | undefined>('pipeline.loop'),
  queue: serviceRef<JobQueue>('jobs.queue'),
  alertActions: serviceRef<PluginAlertActions>('plugins.alertActions'),
  maintenance: serviceRef<void>('maintenance'),
  hooks: serviceRef<void>('plugins.hooks'),
  scheduledTasks: serviceRef<void>('plugins.scheduledTasks'),
  alerts: serviceRef<void>('alerts.workers'),
  search: serviceRef<IssueSearchIndex>('search.issues'),
  searchIndexer: serviceRef<void>('search.indexer'),
};

/**
 * Where issue searches are answered: Typesense when TYPESENSE_URL is set, with the Postgres adapter
 * (also on PGlite) answering what Typesense can't and everything while it is down; else Postgres.
 */
export const searchModule = defineModule({
  id: 'search',
  provides: SERVICES.search,
  needs: { knex: CORE.knex, log: CORE.log, config: MAIN.config },
  async init({ knex, log, config }) {
    const postgres = new PostgresIssueSearch(knex);
    const typesense = config.search.typesense;
    if (!typesense) return { value: postgres };
    return {
      value: new TypesenseIssueSearch(
        knex,
        typesenseClient(typesense),
        typesense.collection,
        postgres,
        log.child({ component: 'search' }),
      ),
    };
  },
});

/** Keeps the Typesense collection in step with the change outbox, where workers run and Typesense is set. */
export const searchIndexerModule = defineModule({
  id: 'search-indexer',
  provides: SERVICES.searchIndexer,
  needs: { knex: CORE.knex, log: CORE.log, config: MAIN.config },
  async init({ knex, log, config }) {
    const typesense = config.search.typesense;
    if (!typesense) return { value: undefined };
    const indexer = new TypesenseIndexer({
      knex,
      // Indexing may wait longer than a search: an import of a batch is bigger.
      client: typesenseClient(typesense, 30),
      collection: typesense.collection,
      log: log.child({ component: 'search-indexer' }),
    });
    await indexer.start();
    return { value: undefined, stop: () => indexer.stop() };
  },
});

/** The plugins of PLUGINS and the built-ins, loaded the same way in every process. */
export const pluginsModule = defineModule({
  id: 'plugins',
  provides: SERVICES.plugins,
  needs: { knex: CORE.knex, log: CORE.log, wiring: PLUGIN_WIRING },
  async init({ knex, log, wiring }) {
    const { specs, options, settings } = pluginHostStart({
      ...wiring,
      knex,
      log: log.child({ component: 'plugins' }),
    });
    const host = await PluginHost.start(specs, options);
    return { value: { host, settings }, stop: () => host.stop() };
  },
});

/** The pipeline loops of this process, with the plugins' processEvent when any plugin has one. */
export const pipelineModule = defineModule({
  id: 'pipeline',
  provides: SERVICES.pipeline,
  needs: {
    knex: CORE.knex,
    log: CORE.log,
    partitions: CORE.partitions,
    plugins: SERVICES.plugins,
    settings: PIPELINE_SETTINGS,
  },
  async init({ knex, log, partitions, plugins: { host }, settings }) {
    if (!settings) return { value: undefined };
    const worker = new PipelineWorker(knex, partitions, log.child({ component: 'pipeline' }), {
      ...settings,
      processEvent: host.hasEventProcessors
        ? (event, trx, projectId) => host.processEvent(event, trx, projectId)
        : undefined,
    });
    worker.start();
    return { value: worker, stop: () => worker.stop() };
  },
});

/** One job queue per process; only processes that run workers fire cron schedules and maintain it. */
export const queueModule = defineModule({
  id: 'jobs',
  provides: SERVICES.queue,
  needs: { knex: CORE.knex, log: CORE.log, runsWorkers: MAIN.runsWorkers },
  async init({ knex, log, runsWorkers }) {
    const queue = await JobQueue.start(knex, log.child({ component: 'jobs' }), {
      maintenance: runsWorkers,
    });
    return { value: queue, stop: () => queue.stop() };
  },
});

/** Checks and runs alert actions through the plugins (the API checks them, workers run them). */
export const alertActionsModule = defineModule({
  id: 'alert-actions',
  provides: SERVICES.alertActions,
  needs: { plugins: SERVICES.plugins, config: MAIN.config },
  async init({ plugins, config }) {
    return { value: new PluginAlertActions(plugins.host, config.plugins.hookBudgetMs) };
  },
});

const HOUR_MS = 3_600_000;

/**
 * Hourly: keeps upcoming daily event partitions created, drops the ones past retention and prunes
 * the issue change outbox past the same retention. The first run is over before `init` returns, so
 * modules listed after it (the pipeline) find today's partitions.
 */
export const maintenanceModule = defineModule({
  id: 'maintenance',
  provides: SERVICES.maintenance,
  needs: { knex: CORE.knex, log: CORE.log, partitions: CORE.partitions, config: MAIN.config },
  async init({ knex, log, partitions, config }) {
    const run = async () => {
      const now = Date.now();
      await partitions.ensureFor([0, 1, 2].map((d) => new Date(now + d * 86_400_000)));
      const dropped = await partitions.dropOlderThan(config.retentionDays);
      if (dropped.length > 0) log.info({ dropped }, 'dropped event partitions past retention');
      const pruned = await pruneChanges(knex, new Date(now - config.retentionDays * 86_400_000));
      if (pruned > 0) log.info({ pruned }, 'pruned issue changes past retention');
    };
    const timer = setInterval(() => run().catch((err) => log.error({ err }, 'maintenance failed')), HOUR_MS);
    timer.unref();
    try {
      await run();
    } catch (error) {
      clearInterval(timer);
      throw error;
    }
    return { value: undefined, stop: () => clearInterval(timer) };
  },
});

/** Issue hooks, fanned out from the change outbox to the plugins as jobs (never on requests). */
export const hooksModule = defineModule({
  id: 'plugin-hooks',
  provides: SERVICES.hooks,
  needs: {
    plugins: SERVICES.plugins,
    knex: CORE.knex,
    log: CORE.log,
    queue: SERVICES.queue,
    config: MAIN.config,
  },
  async init({ plugins, knex, log, queue, config }) {
    const hooks = new HookDispatcher(plugins.host, {
      knex,
      log: log.child({ component: 'plugin-hooks' }),
      queue,
      hookBudgetMs: config.plugins.hookBudgetMs,
    });
    await hooks.start();
    return { value: undefined, stop: () => hooks.stop() };
  },
});

/** Plugins' scheduled tasks, as cron jobs of the queue. */
export const scheduledTasksModule = defineModule({
  id: 'plugin-tasks',
  provides: SERVICES.scheduledTasks,
  needs: { plugins: SERVICES.plugins, queue: SERVICES.queue, log: CORE.log },
  async init({ plugins, queue, log }) {
    await startScheduledTasks(plugins.host, { queue, log: log.child({ component: 'plugin-tasks' }) });
    return { value: undefined };
  },
});

/** Alert rules, evaluated from the outbox by whichever worker holds the alert cursor's lease. */
export const alertsModule = defineModule({
  id: 'alerts',
  provides: SERVICES.alerts,
  needs: {
    knex: CORE.knex,
    log: CORE.log,
    queue: SERVICES.queue,
    config: MAIN.config,
    actions: SERVICES.alertActions,
  },
  async init({ knex, log, queue, config, actions }) {
    const alerts = await startAlertWorkers({
      knex,
      queue,
      log: log.child({ component: 'alerts' }),
      publicUrl: config.http.publicUrl,
      actions,
    });
    return { value: undefined, stop: () => alerts.stop() };
  },
});
