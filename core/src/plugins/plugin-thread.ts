/**
 * One plugin on a worker thread of its own, so that its code can be stopped whatever it does: a call
 * (hook, scheduled task, route handler) that overruns its budget gets the thread terminated, which
 * interrupts a busy loop wherever it is (synchronous, or after an `await`, where the `node:vm`
 * Sandbox cannot reach), and the thread is started again, with the plugin's `init`, before the next
 * call. A thread that crashes (an uncaught exception, `process.exit` in plugin code, out of memory)
 * is likewise restarted on the next call. The main thread's event loop never runs plugin code.
 *
 * API (the worker side is plugin-thread-entry.ts):
 *
 *   const thread = await PluginThread.start({
 *     pluginId, module: '/abs/path/to/plugin/index.js', config,       // config already validated
 *     services: { 'core.storage': storage, 'core.logger': logger, ... }, // by SDK service ref id
 *     log,                                                               // the thread's own messages
 *   });                                       // rejects (PluginError) when loading or init fails
 *   thread.hookNames                          // e.g. ['onIssueCreated', 'onAlert']
 *   await thread.call('onAlert', notification, 10_000);  // → the hook's result (structured clone)
 *   thread.schedules / thread.routes          // what init registered with core.scheduler / core.httpRouter
 *   await thread.runTask('sync', 60_000);
 *   await thread.handleRoute('POST', '/webhook', request, 10_000);  // → PluginResponse
 *   thread.issueActions                       // the issue actions init returned (input as JSON Schema)
 *   await thread.callAction('create-issue', { op: 'run', ... }, 5_000);  // → ActionCallOutcome
 *   await thread.stop();
 *
 * Calls reject with `PluginTimeoutError` (code `plugin_timeout`) when they overrun, with a
 * `PluginError` carrying the plugin's own error name/code/message when plugin code throws, and with
 * a `PluginError` coded `plugin_crashed` / `plugin_restarted` / `plugin_unavailable` /
 * `plugin_stopped` when the thread died under them or cannot be started. A call's budget counts from
 * when the thread begins it (calls sent together queue on the thread); one that was still queued
 * when the thread was restarted, or that `cancelQueued` held back, rejects coded `plugin_not_run`.
 *
 * Services: every method of `services[id]` is callable from the plugin; arguments and results must
 * be structured-cloneable. Handled specially: `core.logger` (fire-and-forget; `child()` worker-side;
 * lines go to `services['core.logger']`, else to `log`), `core.config` (`value` is `config`;
 * other methods, e.g. `forProject`, call `services['core.config']`), `core.http` (the response body is
 * read as text on this side), `core.scheduler` and `core.httpRouter` (the functions stay on the
 * thread; registrations are listed in `schedules` / `routes` and, when the caller passes a real
 * `services['core.scheduler']` / `services['core.httpRouter']`, forwarded to it once per name/route
 * with a function that runs the task / handler on the thread under `taskBudgetMs` / `routeBudgetMs`;
 * when that service refuses a registration made during init, `start` fails with its error).
 * A service call made during a hook runs in the async context of `thread.call(...)` (so e.g. the
 * pipeline's `hookTransaction` applies to storage calls made by `processEvent`).
 */
import { AsyncResource } from 'node:async_hooks';
import path from 'node:path';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import {
  PluginError,
  PluginTimeoutError,
  type HttpResponse,
  type HttpRouter,
  type Logger as PluginLogger,
  type PluginRequest,
  type PluginResponse,
  type Scheduler,
} from '@faultline/plugin-sdk';
import type { Logger } from '../logging';
import { pluginLogger } from './plugin-logger';
import {
  fromWireError,
  routeKey,
  toWireError,
  type CallKind,
  type FromThread,
  type PluginThreadData,
  type ToThread,
  type WireHttpResponse,
} from './plugin-thread-entry';
import type { ActionCallArg, ActionCallOutcome, IssueActionInfo } from './issue-action-calls';
import { startWorker } from './worker-start';
import { budgetSetting, budgetText } from './budget-setting';

export interface PluginThreadOptions {
  pluginId: string;
  /** Absolute path of the plugin's module (what `require.resolve` gave for the plugin's spec). */
  module: string;
  /** The plugin's validated config: `coreServices.config.value` on the thread. */
  config: unknown;
  /** The services the plugin may ask for, by SDK service ref id (e.g. `core.storage`). */
  services: Partial<Record<string, object>>;
  /** Time loading the module, `register` and `init` may take (default 10 s). */
  initBudgetMs?: number;
  /** Budget of a scheduled task forwarded to `services['core.scheduler']` (default 60 s). */
  taskBudgetMs?: number;
  /** Budget of a route handler forwarded to `services['core.httpRouter']` (default 10 s). */
  routeBudgetMs?: number;
  /** Memory limits of the thread (see `worker_threads`); exceeding them ends the thread. */
  resourceLimits?: ResourceLimits;
  log: Logger;
}

export interface PluginSchedule {
  name: string;
  cron: string;
}

export interface PluginRouteRegistration {
  method: string;
  path: string;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The caller's async context, for the service calls made on its behalf. */
  context: AsyncResource;
  timer: NodeJS.Timeout | undefined;
  kind: CallKind;
  name: string;
  label: string;
  budgetMs: number;
  /** The thread said it began the call; until then it waits in the thread's queue. */
  started: boolean;
  /** Arms the call's own budget (once the thread started it). */
  arm(ms: number, extended: boolean): void;
}

/** One started thread. A restart makes a new one. */
interface Incarnation {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, PendingCall>;
  dead: boolean;
  /** `init` finished on it. */
  started: boolean;
  /** Why the real scheduler or router refused a registration made by `init`, if one did. */
  refused: unknown;
  /** The uncaught error the thread reported before exiting, if any. */
  crash: Error | undefined;
}

/** Added to the wait cap of a queued call, for message latency and a thread busy collecting garbage. */
const START_SLACK_MS = 1000;
/** A timer this late means our own event loop was blocked; the call gets its budget once more. */
const LATE_MS = 10;
/** After a failed (re)start, the next attempt waits 1 s, doubling up to 5 min. */
const RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60_000;

/** Worker side: compiled JavaScript next to this file, or TypeScript when running from sources. */
const ENTRY = path.join(__dirname, `plugin-thread-entry${path.extname(__filename)}`);

export class PluginThread {
  private current: Incarnation | undefined;
  private nextCallId = 1;
  private stopped = false;
  private failedStarts = 0;
  private retryAt = 0;
  private lastStartError: PluginError | undefined;
  private hooks: string[] = [];
  private actions: IssueActionInfo[] = [];
  private restartCount = 0;
  private readonly scheduleByName = new Map<string, string>();
  private readonly routeByKey = new Map<string, PluginRouteRegistration>();
  private readonly forwarded = new Set<string>();
  private readonly methods: Record<string, string[]>;
  private readonly pluginLog: PluginLogger;

  private constructor(private readonly options: PluginThreadOptions) {
    this.methods = Object.fromEntries(
      Object.entries(options.services).flatMap(([id, service]) =>
        service ? [[id, methodNames(service)]] : [],
      ),
    );
    this.pluginLog =
      (options.services['core.logger'] as PluginLogger | undefined) ??
      pluginLogger(options.log.child({ plugin: options.pluginId }));
  }

  /** Starts the thread and runs the plugin's `init`; rejects when that fails or overruns. */
  static async start(options: PluginThreadOptions): Promise<PluginThread> {
    const thread = new PluginThread(options);
    const first = thread.spawn();
    try {
      await first.ready;
    } catch (error) {
      thread.stopped = true;
      throw error;
    }
    return thread;
  }

  get pluginId(): string {
    return this.options.pluginId;
  }

  /** The hooks the plugin's `init` returned (as of the latest start). */
  get hookNames(): readonly string[] {
    return this.hooks;
  }

  /** The issue actions the plugin's `init` returned (as of the latest start). */
  get issueActions(): readonly IssueActionInfo[] {
    return this.actions;
  }

  get schedules(): readonly PluginSchedule[] {
    return [...this.scheduleByName].map(([name, cron]) => ({ name, cron }));
  }

  get routes(): readonly PluginRouteRegistration[] {
    return [...this.routeByKey.values()];
  }

  /** How many times the thread was started again after a timeout or crash. */
  get restarts(): number {
    return this.restartCount;
  }

  /**
   * Runs `hooks[hook](arg)` on the thread (`hooks[hook](arg, context)` with a context, e.g.
   * processEvent's project); resolves with its (cloned) result.
   */
  call(hook: string, arg: unknown, budgetMs: number, context?: unknown): Promise<unknown> {
    return this.dispatch('hook', hook, arg, budgetMs, hook, context);
  }

  /** Runs the task the plugin registered under `name` with `core.scheduler`. */
  async runTask(name: string, budgetMs: number): Promise<void> {
    await this.dispatch('task', name, undefined, budgetMs, `scheduled task ${name}`);
  }

  /** Runs the handler the plugin registered for `method path` with `core.httpRouter`. */
  async handleRoute(
    method: string,
    routePath: string,
    request: PluginRequest,
    budgetMs: number,
  ): Promise<PluginResponse> {
    const key = routeKey(method, routePath);
    const response = (await this.dispatch('route', key, request, budgetMs, `route ${key}`)) as
      PluginResponse | undefined;
    const body = response?.body;
    // A Buffer comes back as a plain Uint8Array; what is sent as is must be a Buffer again.
    if (body instanceof Uint8Array && !Buffer.isBuffer(body))
      return { ...response, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
    return response ?? {};
  }

  /** Asks issue action `actionId` whether it is available, or runs it (see issue-action-calls.ts). */
  async callAction(actionId: string, arg: ActionCallArg, budgetMs: number): Promise<ActionCallOutcome> {
    return (await this.dispatch(
      'action',
      actionId,
      arg,
      budgetMs,
      `issue action ${actionId}`,
    )) as ActionCallOutcome;
  }

  /** Ends the thread; calls in flight reject, later calls too. */
  async stop(): Promise<void> {
    this.stopped = true;
    const current = this.current;
    if (!current) return;
    this.end(current, new PluginError(`plugin ${this.pluginId} was stopped`, { code: 'plugin_stopped' }));
    await current.worker.terminate();
  }

  private async dispatch(
    kind: CallKind,
    name: string,
    arg: unknown,
    budgetMs: number,
    what: string,
    context?: unknown,
  ) {
    const incarnation = await this.running();
    const label = `plugin ${this.pluginId}: ${what}`;
    // Another call's overrun may have ended the thread while this one waited for it to start.
    if (incarnation.dead) throw notRun(label, "the plugin's thread was restarted");
    const id = this.nextCallId++;
    return new Promise<unknown>((resolve, reject) => {
      const overran = (error: PluginTimeoutError) => {
        incarnation.pending.delete(id);
        reject(error);
        this.end(
          incarnation,
          new PluginError(`${label} overran its budget, so the plugin's thread was restarted`, {
            code: 'plugin_restarted',
          }),
        );
      };
      const pending: PendingCall = {
        resolve,
        reject,
        context: new AsyncResource('FaultlinePluginCall'),
        timer: undefined,
        kind,
        name,
        label,
        budgetMs,
        started: false,
        arm: (ms, extended) => {
          const due = performance.now() + ms;
          pending.timer = setTimeout(() => {
            if (!extended && performance.now() - due > LATE_MS) return pending.arm(budgetMs, true);
            overran(
              new PluginTimeoutError(
                `${label} ran longer than ${budgetText(budgetMs, budgetSetting(kind, name))}; its thread was stopped`,
                budgetMs,
              ),
            );
          }, ms);
        },
      };
      // The budget counts from when the thread starts the call (its 'started' message), not while
      // it waits behind other calls. Waiting is capped by the budgets of everything ahead of it:
      // each of those ends or is cut off within its own, so a longer wait means the thread is stuck.
      const waitCapMs =
        budgetMs + START_SLACK_MS + [...incarnation.pending.values()].reduce((sum, p) => sum + p.budgetMs, 0);
      incarnation.pending.set(id, pending);
      try {
        incarnation.worker.postMessage({ t: 'call', id, kind, name, arg, context } satisfies ToThread);
      } catch (error) {
        incarnation.pending.delete(id);
        reject(new PluginError(`${label}: ${(error as Error).message}`, { code: 'not_cloneable' }));
        return;
      }
      pending.timer = setTimeout(
        () =>
          overran(
            new PluginTimeoutError(
              `${label} was not started by the plugin's thread within ${waitCapMs} ms; its thread was stopped`,
              budgetMs,
            ),
          ),
        waitCapMs,
      );
    });
  }

  /**
   * Rejects the calls of `hook` still waiting in the thread's queue (coded `plugin_not_run`) and
   * tells the thread to skip them; calls already running go on. Returns how many were held back.
   */
  cancelQueued(hook: string, reason: string): number {
    const incarnation = this.current;
    if (!incarnation || incarnation.dead) return 0;
    const ids: number[] = [];
    for (const [id, pending] of incarnation.pending) {
      if (pending.started || pending.kind !== 'hook' || pending.name !== hook) continue;
      ids.push(id);
      incarnation.pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(notRun(pending.label, reason));
    }
    if (ids.length > 0) incarnation.worker.postMessage({ t: 'cancel', ids } satisfies ToThread);
    return ids.length;
  }

  /** The live thread, (re)starting it when needed. */
  private async running(): Promise<Incarnation> {
    if (this.stopped)
      throw new PluginError(`plugin ${this.pluginId} was stopped`, { code: 'plugin_stopped' });
    let incarnation = this.current;
    if (!incarnation) {
      if (Date.now() < this.retryAt)
        throw new PluginError(
          `plugin ${this.pluginId} is unavailable until its next start attempt: ${this.lastStartError?.message}`,
          { code: 'plugin_unavailable' },
        );
      this.restartCount += 1;
      this.options.log.warn(
        { plugin: this.pluginId, restarts: this.restartCount },
        'restarting plugin thread',
      );
      incarnation = this.spawn();
    }
    await incarnation.ready;
    return incarnation;
  }

  private spawn(): Incarnation {
    const data: PluginThreadData = {
      faultlinePluginThread: true,
      pluginId: this.pluginId,
      module: this.options.module,
      config: this.options.config,
      services: this.methods,
    };
    const worker = startWorker(
      { file: ENTRY },
      { workerData: data, resourceLimits: this.options.resourceLimits },
    );
    let settle!: { resolve(): void; reject(error: PluginError): void };
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const incarnation: Incarnation = {
      worker,
      ready,
      pending: new Map(),
      dead: false,
      started: false,
      refused: undefined,
      crash: undefined,
    };
    // Callers that never get to await `ready` (a thread that dies at once) must not warn.
    ready.catch(() => undefined);
    this.current = incarnation;

    const initBudget = this.options.initBudgetMs ?? 10_000;
    const initTimer = setTimeout(() => {
      const error = new PluginTimeoutError(
        `plugin ${this.pluginId}: loading and init took longer than ${initBudget} ms`,
        initBudget,
      );
      this.startFailed(error);
      settle.reject(error);
      this.end(incarnation, error);
    }, initBudget);

    worker.on('message', (message: FromThread) => {
      switch (message.t) {
        case 'ready':
          clearTimeout(initTimer);
          if (incarnation.refused) {
            // The real scheduler or router refused what init registered: the plugin does not start.
            const error = fromWireError(toWireError(incarnation.refused));
            error.message = `plugin ${this.pluginId} did not start: ${error.message}`;
            this.startFailed(error);
            settle.reject(error);
            this.end(incarnation, error);
            break;
          }
          this.hooks = message.hooks;
          this.actions = message.actions;
          incarnation.started = true;
          this.failedStarts = 0;
          settle.resolve();
          break;
        case 'init-failed': {
          clearTimeout(initTimer);
          const error = fromWireError(message.error);
          error.message = `plugin ${this.pluginId} did not start: ${error.message}`;
          this.startFailed(error);
          settle.reject(error);
          this.end(incarnation, error);
          break;
        }
        case 'started': {
          const pending = incarnation.pending.get(message.id);
          if (!pending) break;
          pending.started = true;
          clearTimeout(pending.timer);
          pending.arm(pending.budgetMs, false);
          break;
        }
        case 'result': {
          const pending = incarnation.pending.get(message.id);
          if (!pending) break;
          incarnation.pending.delete(message.id);
          clearTimeout(pending.timer);
          if (message.ok) pending.resolve(message.value);
          else pending.reject(fromWireError(message.error));
          break;
        }
        case 'rpc':
          void this.answer(incarnation, message);
          break;
        case 'log':
          this.pluginLog[message.level](message.message, message.fields);
          break;
        case 'schedule':
          this.registered(
            incarnation,
            `task ${message.name}`,
            () => this.scheduleByName.set(message.name, message.cron),
            () =>
              (this.options.services['core.scheduler'] as Scheduler | undefined)?.schedule(
                message.name,
                message.cron,
                () => this.runTask(message.name, this.options.taskBudgetMs ?? 60_000),
              ),
          );
          break;
        case 'route': {
          const { method, path: routePath } = message;
          const key = routeKey(method, routePath);
          this.registered(
            incarnation,
            `route ${key}`,
            () => this.routeByKey.set(key, { method, path: routePath }),
            () =>
              (this.options.services['core.httpRouter'] as HttpRouter | undefined)?.handle(
                method as Parameters<HttpRouter['handle']>[0],
                routePath,
                (request) =>
                  this.handleRoute(method, routePath, request, this.options.routeBudgetMs ?? 10_000),
              ),
          );
          break;
        }
      }
    });
    worker.on('error', (error) => {
      incarnation.crash = error;
    });
    worker.on('exit', (code) => {
      clearTimeout(initTimer);
      if (incarnation.dead) return;
      const cause = incarnation.crash ? `: ${incarnation.crash.message}` : ` with code ${code}`;
      const error = new PluginError(`plugin ${this.pluginId}'s thread ended${cause}`, {
        code: 'plugin_crashed',
        cause: incarnation.crash,
      });
      this.options.log.error({ plugin: this.pluginId, err: incarnation.crash, code }, 'plugin thread ended');
      if (!incarnation.started) this.startFailed(error);
      settle.reject(error);
      this.end(incarnation, error);
    });
    return incarnation;
  }

  /**
   * Records a registration and forwards it to the real service, the first time only (not again on
   * restarts). A refusal (a bad task name or cron, a route declared twice) fails the start.
   */
  private registered(incarnation: Incarnation, key: string, record: () => void, forward: () => void): void {
    if (this.forwarded.has(key)) return record();
    try {
      forward();
    } catch (error) {
      if (!incarnation.started) incarnation.refused ??= error;
      else this.options.log.warn({ plugin: this.pluginId, err: error }, `plugin ${key} was refused`);
      return;
    }
    this.forwarded.add(key);
    record();
  }

  /** A start that failed delays the next attempt (a crash after a good start does not). */
  private startFailed(error: PluginError): void {
    this.lastStartError = error;
    this.retryAt = Date.now() + Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** this.failedStarts);
    this.failedStarts += 1;
  }

  /** Marks a thread dead: terminates it and rejects whatever was waiting on it. */
  private end(incarnation: Incarnation, error: PluginError): void {
    if (incarnation.dead) return;
    incarnation.dead = true;
    if (this.current === incarnation) this.current = undefined;
    for (const pending of incarnation.pending.values()) {
      clearTimeout(pending.timer);
      // A call still waiting in the queue never ran: it is not the plugin's failure (a stop is final).
      pending.reject(
        pending.started || error.code === 'plugin_stopped' ? error : notRun(pending.label, error.message),
      );
    }
    incarnation.pending.clear();
    void incarnation.worker.terminate();
  }

  /** Runs a service call for the thread and posts the answer back. */
  private async answer(incarnation: Incarnation, message: Extract<FromThread, { t: 'rpc' }>): Promise<void> {
    const caller = message.callId === undefined ? undefined : incarnation.pending.get(message.callId);
    const run = () => this.callService(message.service, message.method, message.args);
    let reply: ToThread;
    try {
      const value = await (caller ? caller.context.runInAsyncScope(run) : run());
      reply = { t: 'reply', id: message.id, ok: true, value };
    } catch (error) {
      reply = { t: 'reply', id: message.id, ok: false, error: toWireError(error) };
    }
    if (incarnation.dead) return;
    try {
      incarnation.worker.postMessage(reply);
    } catch (error) {
      const wire = toWireError(
        new PluginError(
          `${message.service}.${message.method} answered with a value that cannot be passed on: ${(error as Error).message}`,
          {
            code: 'not_cloneable',
          },
        ),
      );
      incarnation.worker.postMessage({
        t: 'reply',
        id: message.id,
        ok: false,
        error: wire,
      } satisfies ToThread);
    }
  }

  private async callService(service: string, method: string, args: unknown[]): Promise<unknown> {
    const target = this.options.services[service] as Record<string, (...a: unknown[]) => unknown> | undefined;
    if (!target || !this.methods[service]?.includes(method))
      throw new PluginError(`this host does not provide ${service}.${method}`, {
        code: 'service_unavailable',
      });
    if (service === 'core.http' && method === 'fetch') {
      const response = (await target.fetch(...args)) as HttpResponse;
      return {
        status: response.status,
        headers: response.headers,
        body: await response.text(),
      } satisfies WireHttpResponse;
    }
    return await target[method](...args);
  }
}

/** The error of a call that was held back or dropped from the thread's queue before it ran. */
function notRun(label: string, reason: string): PluginError {
  return new PluginError(`${label} was not run: ${reason}`, { code: 'plugin_not_run' });
}

/** The methods an object answers, own and inherited (class methods live on the prototype). */
function methodNames(service: object): string[] {
  const names = new Set<string>();
  for (
    let o: object | null = service;
    o && o !== Object.prototype;
    o = Object.getPrototypeOf(o) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || names.has(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (typeof descriptor?.value === 'function') names.add(name);
    }
  }
  return [...names];
}
