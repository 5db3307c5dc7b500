/**
 * The pipeline workers of `faultline start` on a thread of their own (Postgres only), so that
 * processing batches (JSON parsing, normalizing, grouping, building big INSERTs) neither delays the
 * answers to SDKs nor competes with them for one event loop. The thread has its own connection pool;
 * its transactions are the same as in-process, so what is durable stays durable.
 *
 * This file is both sides: `PipelineThread` (used by runtime.ts) starts a worker thread on this
 * same module, whose top level then runs `runThread()`.
 */
// The thread's entry point: tsyringe (through the plugin host) needs the polyfill loaded first.
import 'reflect-metadata';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createLogger, type Logger } from '../logging';
import { connectDatabase, EventPartitions } from '../db';
import type { Config } from '../config';
import {
  CORE,
  MAIN,
  PIPELINE_SETTINGS,
  PLUGIN_WIRING,
  SERVICES,
  pipelineModule,
  pluginsModule,
} from './features';
import { defineModule, given, startModules } from './modules';

export interface PipelineThreadOptions {
  databaseUrl: string;
  logLevel: string;
  batchSize: number;
  concurrency: number;
  /** How long an idle loop sleeps unless woken (the main thread forwards wake-ups). */
  idlePollMs: number;
  /** The plugin settings, with `specs` narrowed to the listed plugins that have a processEvent hook. */
  plugins: Config['plugins'];
  /** The built-in plugins (module paths) that have a processEvent hook. */
  builtins: string[];
  /** For plugin settings' secret fields (base64). */
  secretKey: string;
  /** Base of issue permalinks, for plugins' issues service. */
  publicUrl: string;
}

interface ThreadData extends PipelineThreadOptions {
  faultlinePipelineThread: true;
}

/** `wake` carries how many rows were just committed to the queue. */
type ToThread = { wake: number } | 'stop';
type FromThread = 'stopped';

/** A thread that dies is restarted after 1 s, doubling up to 30 s while it keeps dying within a minute. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;

/** The main-thread handle: starts the thread, forwards wake-ups, restarts it if it dies, stops it. */
export class PipelineThread {
  /**
   * Only from the compiled build: a worker thread does not inherit tsx's loader, so when running
   * from TypeScript sources (tests, `tsx` in development) the workers stay on the main thread.
   */
  static readonly supported = path.extname(__filename) === '.js';

  private worker: Worker | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private quickExits = 0;

  constructor(
    private readonly options: PipelineThreadOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    const data: ThreadData = { ...this.options, faultlinePipelineThread: true };
    const worker = new Worker(__filename, { workerData: data });
    const startedAt = Date.now();
    worker.on('error', (error) => this.log.error({ err: error }, 'pipeline thread failed'));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.stopping) return;
      this.quickExits = Date.now() - startedAt < HEALTHY_AFTER_MS ? this.quickExits + 1 : 1;
      const delay = Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * 2 ** (this.quickExits - 1));
      // Batches the thread had claimed were rolled back when its connections closed: nothing is lost.
      this.log.error({ code }, `pipeline thread exited; restarting it in ${delay} ms`);
      this.restartTimer = setTimeout(() => this.start(), delay);
    });
    this.worker = worker;
  }

  /** Tells idle loops that `rows` rows were just committed to the queue. */
  wake(rows = 0): void {
    this.worker?.postMessage({ wake: rows } satisfies ToThread);
  }

  /** Lets the batches in progress finish, then ends the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.once('message', (message: FromThread) => {
      if (message === 'stopped') void worker.terminate();
    });
    worker.postMessage('stop' satisfies ToThread);
    await exited;
  }
}

/**
 * The pipeline on its thread, as a module of the main process: it provides the same
 * `SERVICES.pipeline` as `pipelineModule`, and the thread loads only the plugins this process found
 * to have a processEvent hook.
 */
export const pipelineThreadModule = defineModule({
  id: 'pipeline-thread',
  provides: SERVICES.pipeline,
  needs: {
    config: MAIN.config,
    log: CORE.log,
    plugins: SERVICES.plugins,
    wiring: PLUGIN_WIRING,
    settings: PIPELINE_SETTINGS,
  },
  async init({ config, log, plugins: { host }, wiring, settings }) {
    if (!settings || config.database.kind !== 'postgres') return { value: undefined };
    const eventPlugins = host.loaded.filter((p) => p.hooks.processEvent);
    const thread = new PipelineThread(
      {
        databaseUrl: config.database.url,
        logLevel: config.logLevel,
        batchSize: settings.batchSize,
        concurrency: settings.concurrency,
        idlePollMs: settings.idlePollMs,
        plugins: { ...config.plugins, specs: eventPlugins.filter((p) => !p.builtin).map((p) => p.source) },
        builtins: eventPlugins.filter((p) => p.builtin).map((p) => p.source),
        secretKey: wiring.secretKey.toString('base64'),
        publicUrl: wiring.publicUrl,
      },
      log,
    );
    thread.start();
    return { value: thread, stop: () => thread.stop() };
  },
});

/**
 * Inside the thread: the same plugins and pipeline modules as in-process, on the thread's own pool,
 * driven by messages from the main thread. The thread's plugins serve processEvent only: hooks,
 * alert actions and tasks run as jobs on the main thread. Per-project settings apply here too, so
 * the thread reads them (briefly cached).
 */
function runThread(data: ThreadData): void {
  const port = parentPort!;
  const log = createLogger(data.logLevel).child({ thread: true });
  const db = connectDatabase({ kind: 'postgres', url: data.databaseUrl, poolMax: data.concurrency + 1 });
  const started = startModules(
    [pluginsModule, pipelineModule],
    [
      given(CORE.knex, db.knex),
      given(CORE.log, log),
      given(CORE.partitions, new EventPartitions(db.knex)),
      given(PLUGIN_WIRING, {
        plugins: data.plugins,
        builtins: data.builtins,
        secretKey: Buffer.from(data.secretKey, 'base64'),
        publicUrl: data.publicUrl,
        role: { processEventOnly: true },
      }),
      given(PIPELINE_SETTINGS, {
        batchSize: data.batchSize,
        concurrency: data.concurrency,
        idlePollMs: data.idlePollMs,
      }),
    ],
  );
  port.on('message', (message: ToThread) => {
    if (typeof message === 'object')
      void started.then((modules) => modules.get(SERVICES.pipeline)?.wake(message.wake));
    else if (message === 'stop') {
      void started
        .then((modules) => modules.stop())
        .then(() => db.close())
        .catch((error: unknown) => log.error({ err: error }, 'pipeline thread did not stop cleanly'))
        .finally(() => port.postMessage('stopped' satisfies FromThread));
    }
  });
}

if (!isMainThread && (workerData as Partial<ThreadData> | null)?.faultlinePipelineThread) {
  runThread(workerData as ThreadData);
}
