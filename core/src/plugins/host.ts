import path from 'node:path';
import semver from 'semver';
import type { Knex } from 'knex';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import {
  HOOK_NAMES,
  PluginConfigError,
  type InitRegistration,
  type KeyValueStorage,
  type Logger as PluginLogger,
  type PluginConfig,
  type PluginEvent,
  type PluginHooks,
  type ServiceRef,
} from '@faultline/plugin-sdk';
import { normalizeEvent, type NormalizedEvent } from '../events';
import type { Logger } from '../logging';
import { configVariableSuffix, HOST_VERSION, manifestSchema, type Manifest } from './manifest';
import { Sandbox } from './sandbox';
import { hookTransaction, PostgresKeyValueStorage } from './storage';

/** A plugin to load: an npm package name, a folder or file path, or (in tests) the plugin itself. */
export type PluginSpec = string | object;

export interface PluginHostOptions {
  knex: Knex;
  log: Logger;
  /** Raw JSON config by `PLUGIN_CONFIG_<ID>` suffix (see config/index.ts). */
  rawConfigs?: Record<string, string>;
  /** Per plugin, per event. */
  eventBudgetMs?: number;
  /** Time `init` may take. */
  initBudgetMs?: number;
  /** Relative folder specs are resolved from here (default: the working directory). */
  baseDir?: string;
  /** Host version to check `hostVersion` ranges against (default: core's package version). */
  hostVersion?: string;
  /** Parent of the plugins' containers (default: tsyringe's root container). */
  container?: DependencyContainer;
}

/** Injection tokens of the services plugins can ask for, by their SDK service ref id. */
export const PLUGIN_SERVICE_TOKENS = {
  'core.logger': Symbol('plugin:core.logger') as InjectionToken<PluginLogger>,
  'core.config': Symbol('plugin:core.config') as InjectionToken<PluginConfig>,
  'core.storage': Symbol('plugin:core.storage') as InjectionToken<KeyValueStorage>,
} as const;

type ProvidedServiceId = keyof typeof PLUGIN_SERVICE_TOKENS;

export interface LoadedPlugin {
  id: string;
  version: string;
  source: string;
  hooks: PluginHooks;
  container: DependencyContainer;
}

export interface SkippedPlugin {
  source: string;
  reason: string;
}

export interface PluginHealth {
  /** Hook calls that threw, timed out or returned something that isn't an event. */
  failures: number;
  consecutiveFailures: number;
  /** While set and in the future, the plugin's processEvent is not called. */
  pausedUntil: number | undefined;
}

/** After this many failures in a row a plugin's processEvent is paused: 1 s, doubling up to 5 min. */
const FAILURES_BEFORE_PAUSE = 3;
const PAUSE_MS = 1000;
const MAX_PAUSE_MS = 5 * 60_000;

class SkipPlugin extends Error {}

/**
 * Loads plugins defensively (a broken one is logged and skipped; the host starts anyway), gives each
 * its own child container with the services it declared, and runs their hooks under time budgets.
 */
export class PluginHost {
  readonly loaded: LoadedPlugin[] = [];
  readonly skipped: SkippedPlugin[] = [];
  private readonly health = new Map<string, PluginHealth & { pauses: number }>();
  private readonly sandbox = new Sandbox();
  private readonly eventBudgetMs: number;

  private constructor(private readonly options: PluginHostOptions) {
    this.eventBudgetMs = options.eventBudgetMs ?? 50;
  }

  static async start(specs: PluginSpec[], options: PluginHostOptions): Promise<PluginHost> {
    const host = new PluginHost(options);
    for (const spec of specs) await host.load(spec);
    if (host.loaded.length + host.skipped.length > 0) {
      options.log.info(
        { loaded: host.loaded.map((p) => `${p.id}@${p.version}`), skipped: host.skipped.length },
        'plugins loaded',
      );
    }
    return host;
  }

  get hasEventProcessors(): boolean {
    return this.loaded.some((p) => p.hooks.processEvent);
  }

  /** Runs a call of plugin code under the same isolation and time budget as processEvent. */
  runIsolated<T>(call: () => T | Promise<T>, budgetMs: number, what: string): Promise<T> {
    return this.sandbox.run(call, budgetMs, what);
  }

  healthOf(id: string): PluginHealth | undefined {
    const h = this.health.get(id);
    return (
      h && { failures: h.failures, consecutiveFailures: h.consecutiveFailures, pausedUntil: h.pausedUntil }
    );
  }

  /**
   * Passes the event through every plugin's processEvent, in load order. Never throws: a plugin that
   * fails or runs out of time is left out for this event (which goes on as it was before that plugin).
   * Returns null when a plugin dropped the event.
   */
  async processEvent(event: NormalizedEvent, trx?: Knex.Transaction): Promise<NormalizedEvent | null> {
    return trx ? hookTransaction.run(trx, () => this.runProcessEvent(event)) : this.runProcessEvent(event);
  }

  private async runProcessEvent(event: NormalizedEvent): Promise<NormalizedEvent | null> {
    let current = event;
    for (const plugin of this.loaded) {
      const hook = plugin.hooks.processEvent;
      if (!hook) continue;
      const health = this.health.get(plugin.id)!;
      if (health.pausedUntil !== undefined && health.pausedUntil > Date.now()) continue;
      const input = structuredClone(current) as unknown as PluginEvent;
      try {
        const output = await this.sandbox.run(
          () => hook.call(plugin.hooks, input),
          this.eventBudgetMs,
          `plugin ${plugin.id}: processEvent`,
        );
        if (output === null) {
          this.succeeded(plugin.id);
          return null;
        }
        current = normalizeEvent(output, {
          envelopeEventId: current.event_id,
          receivedAt: current.received,
        });
        this.succeeded(plugin.id);
      } catch (error) {
        this.failed(plugin.id, error, current.event_id);
      }
    }
    return current;
  }

  private succeeded(id: string): void {
    const h = this.health.get(id)!;
    h.consecutiveFailures = 0;
    h.pauses = 0;
    h.pausedUntil = undefined;
  }

  private failed(id: string, error: unknown, eventId: string): void {
    const h = this.health.get(id)!;
    h.failures += 1;
    h.consecutiveFailures += 1;
    const log = this.options.log.child({ plugin: id });
    log.warn(
      { err: error, eventId, failures: h.failures },
      'plugin processEvent failed; the event goes on without it',
    );
    if (h.consecutiveFailures >= FAILURES_BEFORE_PAUSE) {
      const pause = Math.min(MAX_PAUSE_MS, PAUSE_MS * 2 ** h.pauses);
      h.pauses += 1;
      h.consecutiveFailures = 0;
      h.pausedUntil = Date.now() + pause;
      log.error({ pauseMs: pause, failures: h.failures }, 'plugin keeps failing; its processEvent is paused');
    }
  }

  private async load(spec: PluginSpec): Promise<void> {
    const source = typeof spec === 'string' ? spec : 'in-process plugin';
    try {
      await this.loadOrSkip(spec, source);
    } catch (error) {
      const reason = error instanceof SkipPlugin ? error.message : `failed to start: ${describe(error)}`;
      this.skipped.push({ source, reason });
      this.options.log.error({ plugin: source }, `plugin ${source} skipped: ${reason}`);
    }
  }

  private async loadOrSkip(spec: PluginSpec, source: string): Promise<void> {
    const exported = typeof spec === 'string' ? this.requirePlugin(spec) : spec;
    const parsed = manifestSchema.safeParse(exported);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length > 0 ? `${issue.path.join('.')} ` : '';
      throw new SkipPlugin(`invalid plugin manifest: ${field}${issue.message}`);
    }
    const manifest = parsed.data;
    const hostVersion = this.options.hostVersion ?? HOST_VERSION;
    if (!semver.satisfies(hostVersion, manifest.hostVersion, { includePrerelease: true }))
      throw new SkipPlugin(
        `${manifest.id}@${manifest.version} supports Faultline ${manifest.hostVersion}, but this is Faultline ${hostVersion}`,
      );
    if (this.loaded.some((p) => p.id === manifest.id))
      throw new SkipPlugin(`a plugin with id ${manifest.id} is already loaded`);
    const config = this.validateConfig(manifest);

    const registrations: InitRegistration<Record<string, ServiceRef<unknown>>>[] = [];
    manifest.register({ registerInit: (registration) => void registrations.push(registration) });
    if (registrations.length !== 1)
      throw new SkipPlugin(
        `register(env) must call env.registerInit once (called ${registrations.length} times)`,
      );
    const [registration] = registrations;

    const container = this.containerFor(manifest.id, config);
    const deps: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(registration.deps)) {
      if (!(ref.id in PLUGIN_SERVICE_TOKENS))
        throw new SkipPlugin(`asks for service ${ref.id} (as ${name}), which this host does not provide yet`);
      const token: InjectionToken<unknown> = PLUGIN_SERVICE_TOKENS[ref.id as ProvidedServiceId];
      deps[name] = container.resolve(token);
    }
    const initBudget = this.options.initBudgetMs ?? 10_000;
    const contribution = await this.sandbox.run(
      () => registration.init(deps as Parameters<typeof registration.init>[0]),
      initBudget,
      `plugin ${manifest.id}: init`,
    );
    const hooks: unknown = (contribution as { hooks?: unknown } | undefined)?.hooks;
    if (typeof hooks !== 'object' || hooks === null) throw new SkipPlugin('init must return { hooks }');
    for (const name of HOOK_NAMES) {
      const hook = (hooks as Record<string, unknown>)[name];
      if (hook !== undefined && typeof hook !== 'function')
        throw new SkipPlugin(`hooks.${name} must be a function`);
    }
    this.loaded.push({
      id: manifest.id,
      version: manifest.version,
      source,
      hooks: hooks as PluginHooks,
      container,
    });
    this.health.set(manifest.id, { failures: 0, consecutiveFailures: 0, pausedUntil: undefined, pauses: 0 });
  }

  private requirePlugin(spec: string): unknown {
    const isPath = spec.startsWith('.') || path.isAbsolute(spec);
    const target = isPath ? path.resolve(this.options.baseDir ?? process.cwd(), spec) : spec;
    let resolved: string;
    try {
      resolved = require.resolve(target, { paths: [this.options.baseDir ?? process.cwd()] });
    } catch (error) {
      throw new SkipPlugin(
        isPath ? `no plugin found at ${target}` : `package ${spec} is not installed (${describe(error)})`,
      );
    }
    let mod: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(resolved);
    } catch (error) {
      throw new SkipPlugin(`could not be loaded: ${describe(error)}`);
    }
    const m = mod as { default?: unknown; plugin?: unknown } | null;
    return m?.default ?? m?.plugin ?? mod;
  }

  private validateConfig(manifest: Manifest): unknown {
    const variable = `PLUGIN_CONFIG_${configVariableSuffix(manifest.id)}`;
    const raw = this.options.rawConfigs?.[configVariableSuffix(manifest.id)];
    let value: unknown = {};
    if (raw !== undefined) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new SkipPlugin(new PluginConfigError(`${variable} is not valid JSON`).message);
      }
    }
    if (!manifest.configSchema) return value;
    const result = manifest.configSchema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    throw new SkipPlugin(
      new PluginConfigError(`invalid config ${where}: ${issue.message} (set it in ${variable} as JSON)`)
        .message,
    );
  }

  /** One child container per plugin, holding the services made for it (built eagerly, from values). */
  private containerFor(id: string, config: unknown): DependencyContainer {
    const child = (this.options.container ?? rootContainer).createChildContainer();
    child.register(PLUGIN_SERVICE_TOKENS['core.logger'], {
      useValue: pluginLogger(this.options.log.child({ plugin: id })),
    });
    child.register(PLUGIN_SERVICE_TOKENS['core.config'], { useValue: Object.freeze({ value: config }) });
    child.register(PLUGIN_SERVICE_TOKENS['core.storage'], {
      useValue: new PostgresKeyValueStorage(this.options.knex, id),
    });
    return child;
  }
}

/** The SDK's logger interface (message first) over pino (fields first). */
function pluginLogger(log: Logger): PluginLogger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
    child: (fields) => pluginLogger(log.child(fields)),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
