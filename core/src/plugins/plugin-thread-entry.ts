/**
 * The worker side of `PluginThread` (plugin-thread.ts): one plugin, alone on its own thread. It loads
 * the plugin's module, runs `register` and `init` with stand-ins for the services the plugin declared
 * (each method call is a message to the main thread, which calls the real service), then runs the
 * hooks, scheduled tasks and route handlers the main thread asks for. The main thread times every
 * call and terminates this thread when one overruns, so nothing here needs to guard against a busy
 * loop. Only node built-ins and the SDK are imported: this file is the whole of the thread's code.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import {
  HOOK_NAMES,
  PluginError,
  type HttpResponse,
  type Logger,
  type PluginEnvironment,
  type PluginRequest,
} from '@faultline/plugin-sdk';
import {
  checkIssueActions,
  describeIssueActions,
  performActionCall,
  type ActionCallArg,
  type IssueActionInfo,
} from './issue-action-calls';
import { checkDeps, checkHooks, checkRegistrations } from './registration';

/** What the thread is started with. */
export interface PluginThreadData {
  faultlinePluginThread: true;
  pluginId: string;
  /** Absolute path of the plugin's module. */
  module: string;
  /** The validated config (`coreServices.config.value`). */
  config: unknown;
  /** Service ref id → the method names the main thread will answer. */
  services: Record<string, string[]>;
}

/** An error as it crosses between threads. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/** `action`: an issue action, by id (`arg` is an `ActionCallArg`). */
export type CallKind = 'hook' | 'task' | 'route' | 'action';

export type ToThread =
  /** `context`: a hook's second argument, when it has one (processEvent's `{ projectId }`). */
  | { t: 'call'; id: number; kind: CallKind; name: string; arg: unknown; context?: unknown }
  /** Calls not started yet that are no longer wanted (the host paused the hook); they are skipped. */
  | { t: 'cancel'; ids: number[] }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: WireError };

export type FromThread =
  | { t: 'ready'; hooks: string[]; actions: IssueActionInfo[] }
  | { t: 'init-failed'; error: WireError }
  /** The thread begins running call `id` now: its time budget counts from here, not from the queue. */
  | { t: 'started'; id: number }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: WireError }
  /** `callId`: the call this service call is made for (so the main side runs it in that call's context). */
  | { t: 'rpc'; id: number; callId: number | undefined; service: string; method: string; args: unknown[] }
  | { t: 'log'; level: LogLevel; message: string; fields: Record<string, unknown> }
  | { t: 'schedule'; name: string; cron: string }
  | { t: 'route'; method: string; path: string };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The fetch answer as it crosses: the body is read on the main side. */
export interface WireHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      code: typeof code === 'string' ? code : undefined,
      stack: error.stack,
    };
  }
  return { name: 'Error', message: String(error) };
}

/** A `PluginError` carrying the original name, code and stack. */
export function fromWireError(wire: WireError): PluginError {
  const error = new PluginError(wire.message, { code: wire.code });
  Object.defineProperty(error, 'name', { value: wire.name, configurable: true, writable: true });
  if (wire.stack) error.stack = wire.stack;
  return error;
}

export const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path}`;

function runThread(port: MessagePort, data: PluginThreadData): void {
  const send = (message: FromThread) => port.postMessage(message);
  /** The call (hook, task, route) whose code is running, so service calls can say which one they serve. */
  const currentCall = new AsyncLocalStorage<number>();
  const pendingRpc = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  let nextRpcId = 1;

  const rpc = (service: string, method: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextRpcId++;
      try {
        send({ t: 'rpc', id, callId: currentCall.getStore(), service, method, args });
      } catch (error) {
        // Not structured-cloneable (a function, a class instance with private state…).
        reject(
          new PluginError(`${service}.${method}: ${(error as Error).message}`, { code: 'not_cloneable' }),
        );
        return;
      }
      pendingRpc.set(id, { resolve, reject });
    });

  const tasks = new Map<string, () => unknown>();
  const routes = new Map<string, (request: PluginRequest) => unknown>();
  let hooks: Record<string, unknown> = {};
  let actions: ReturnType<typeof checkIssueActions> = new Map();

  const logger = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: LogLevel) =>
      (message: string, fields?: Record<string, unknown>): void => {
        try {
          send({ t: 'log', level, message: String(message), fields: { ...bindings, ...fields } });
        } catch {
          send({
            t: 'log',
            level,
            message: String(message),
            fields: { ...bindings, unloggableFields: true },
          });
        }
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (fields) => logger({ ...bindings, ...fields }),
    };
  };

  /** A stand-in whose methods are calls to the main thread's service. */
  const remote = (service: string): Record<string, (...args: unknown[]) => Promise<unknown>> =>
    Object.fromEntries(
      (data.services[service] ?? []).map((method) => [
        method,
        (...args: unknown[]) => rpc(service, method, args),
      ]),
    );

  const build = (service: string): unknown => {
    switch (service) {
      case 'core.logger':
        return logger({});
      case 'core.config':
        return Object.freeze({
          forProject: (projectId: string) => rpc('core.config', 'forProject', [projectId]),
          ...remote('core.config'),
          value: data.config,
        });
      case 'core.scheduler':
        return {
          schedule(name: string, cron: string, task: () => unknown) {
            if (typeof task !== 'function')
              throw new TypeError(`scheduler.schedule(${name}): task must be a function`);
            tasks.set(name, task);
            send({ t: 'schedule', name, cron });
          },
        };
      case 'core.httpRouter':
        return {
          handle(method: string, path: string, handler: (request: PluginRequest) => unknown) {
            if (typeof handler !== 'function')
              throw new TypeError(`httpRouter.handle(${method} ${path}): handler must be a function`);
            routes.set(routeKey(method, path), handler);
            send({ t: 'route', method: method.toUpperCase(), path });
          },
        };
      case 'core.http':
        return {
          async fetch(url: string, options?: unknown): Promise<HttpResponse> {
            const wire = (await rpc('core.http', 'fetch', [url, options])) as WireHttpResponse;
            return {
              status: wire.status,
              headers: wire.headers,
              text: () => Promise.resolve(wire.body),
              json: <T>() => Promise.resolve(JSON.parse(wire.body) as T),
            };
          },
        };
      default:
        if (!(service in data.services))
          throw new PluginError(`this host does not provide service ${service}`, {
            code: 'service_unavailable',
          });
        return remote(service);
    }
  };

  const invoke = (kind: CallKind, name: string, arg: unknown, context: unknown): unknown => {
    if (kind === 'hook') {
      const hook = hooks[name];
      if (typeof hook !== 'function')
        throw new PluginError(`the plugin has no hook ${name}`, { code: 'no_such_hook' });
      const call = hook as (arg: unknown, context?: unknown) => unknown;
      return context === undefined ? call.call(hooks, arg) : call.call(hooks, arg, context);
    }
    if (kind === 'action') return performActionCall(actions, name, arg as ActionCallArg);
    if (kind === 'task') {
      const task = tasks.get(name);
      if (!task) throw new PluginError(`the plugin scheduled no task ${name}`, { code: 'no_such_task' });
      return task();
    }
    const handler = routes.get(name);
    if (!handler) throw new PluginError(`the plugin has no route ${name}`, { code: 'no_such_route' });
    const request = arg as PluginRequest;
    // A Buffer crosses threads as a plain Uint8Array; plugins are promised a Buffer.
    const raw = request.rawBody as Uint8Array;
    return handler({ ...request, rawBody: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) });
  };

  const start = ({ id, kind, name, arg, context }: Extract<ToThread, { t: 'call' }>) => {
    send({ t: 'started', id });
    void currentCall
      .run(id, async () => await invoke(kind, name, arg, context))
      .then(
        (value) => {
          try {
            send({ t: 'result', id, ok: true, value });
          } catch (error) {
            const wire = toWireError(
              new PluginError(
                `${name} returned a value that cannot be passed on: ${(error as Error).message}`,
                { code: 'not_cloneable' },
              ),
            );
            send({ t: 'result', id, ok: false, error: wire });
          }
        },
        (error: unknown) => send({ t: 'result', id, ok: false, error: toWireError(error) }),
      );
  };

  /**
   * Calls wait here and start one per turn of the event loop, so that a `cancel` sent while they
   * wait (e.g. the host paused a failing processEvent) reaches them before they run.
   */
  const queued: Extract<ToThread, { t: 'call' }>[] = [];
  const cancelled = new Set<number>();
  let draining = false;
  const startNext = (): void => {
    const next = queued.shift();
    if (!next) {
      draining = false;
      cancelled.clear();
      return;
    }
    if (!cancelled.delete(next.id)) start(next);
    setImmediate(startNext);
  };

  port.on('message', (message: ToThread) => {
    if (message.t === 'reply') {
      const pending = pendingRpc.get(message.id);
      pendingRpc.delete(message.id);
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(fromWireError(message.error));
      return;
    }
    if (message.t === 'cancel') {
      for (const id of message.ids) cancelled.add(id);
      return;
    }
    queued.push(message);
    if (!draining) {
      draining = true;
      setImmediate(startNext);
    }
  });

  // A stray rejection (a promise nobody awaited) is logged, not a reason to end the thread.
  process.on('unhandledRejection', (reason) =>
    send({
      t: 'log',
      level: 'warn',
      message: 'unhandled promise rejection in plugin code',
      fields: { err: toWireError(reason) },
    }),
  );

  void initPlugin(data, build).then(
    (contributed) => {
      hooks = contributed.hooks;
      actions = contributed.actions;
      send({
        t: 'ready',
        hooks: HOOK_NAMES.filter((n) => typeof hooks[n] === 'function'),
        actions: describeIssueActions(actions),
      });
    },
    (error: unknown) => send({ t: 'init-failed', error: toWireError(error) }),
  );
}

/** Services `build` makes on this thread whatever the main thread offers (see `build`). */
const BUILT_HERE = ['core.logger', 'core.config', 'core.scheduler', 'core.httpRouter', 'core.http'];

async function initPlugin(
  data: PluginThreadData,
  build: (service: string) => unknown,
): Promise<{ hooks: Record<string, unknown>; actions: ReturnType<typeof checkIssueActions> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(data.module) as { default?: unknown; plugin?: unknown } | null;
  const definition = (mod?.default ?? mod?.plugin ?? mod) as { register?: unknown } | null;
  if (typeof definition?.register !== 'function')
    throw new PluginError(`${data.module} does not export a plugin made with definePlugin()`, {
      code: 'invalid_plugin',
    });
  const registrations: unknown[] = [];
  (definition.register as (env: PluginEnvironment) => void)({
    registerInit: (registration) => void registrations.push(registration),
  });
  const registration = checkRegistrations(registrations);
  checkDeps(registration.deps, [...new Set([...BUILT_HERE, ...Object.keys(data.services)])]);
  const deps: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(registration.deps)) deps[name] = build(ref.id);
  const contribution = (await registration.init(deps as never)) as
    { hooks?: unknown; issueActions?: unknown } | undefined;
  return { hooks: checkHooks(contribution?.hooks), actions: checkIssueActions(contribution?.issueActions) };
}

if (!isMainThread && (workerData as Partial<PluginThreadData> | null)?.faultlinePluginThread) {
  runThread(parentPort!, workerData as PluginThreadData);
}
