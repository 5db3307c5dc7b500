import path from 'node:path';
import semver from 'semver';
import type { Knex } from 'knex';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import {
  HOOK_NAMES,
  PluginConfigError,
  PluginError,
  type EventsService,
  type HttpClient,
  type HttpRouter,
  type LinkedAccountsService,
  type InstallationsService,
  type IssuesService,
  type KeyValueStorage,
  type Logger as PluginLogger,
  type PluginConfig,
  type EventContext,
  type PluginEvent,
  type PluginHooks,
  type Scheduler,
} from '@faultline/plugin-sdk';
import { normalizeEvent, type NormalizedEvent } from '../events';
import type { Logger } from '../logging';
import {
  configFields,
  describeProblems,
  installationOnlyFieldNames,
  mergeLayers,
  validateAgainst,
  withoutFields,
  type ConfigField,
} from './config-fields';
import { configJsonSchema, type JsonSchema } from './json-schema';
import { budgetSetting } from './budget-setting';
import {
  checkIssueActions,
  describeIssueActions,
  performActionCall,
  type ActionCallArg,
  type ActionCallOutcome,
  type IssueActionInfo,
} from './issue-action-calls';
import { checkDeps, checkHooks, checkRegistrations } from './registration';
import { emptyCounts, type FailureCounts, type FailureKind, type PluginFailures } from './failures';
import {
  configVariable,
  configVariableSuffix,
  HOST_VERSION,
  manifestSchema,
  type Manifest,
} from './manifest';
import { probeModuleLoad, type LoadProbeFailure } from './load-probe';
import { pluginLogger } from './plugin-logger';
import { PluginThread } from './plugin-thread';
import { Sandbox } from './sandbox';
import { PluginScheduler } from './scheduler';
import type { PluginSettingsStore, ProjectLayers, SettingsLayer } from './settings';
import { hookTransaction, PostgresKeyValueStorage } from './storage';

/** A plugin to load: an npm package name, a folder or file path, or (in tests) the plugin itself. */
export type PluginSpec = string | object;

/** The `source` (in `skipped`, logs) of a plugin given as a definition rather than a name or path. */
export const IN_PROCESS_SOURCE = 'in-process plugin';

export interface PluginHostOptions {
  /**
   * Keep only plugins with a `processEvent` hook (the pipeline thread's host): the others' threads
   * are stopped right after start instead of idling next to the main host's copy.
   */
  processEventOnly?: boolean;
  knex: Knex;
  log: Logger;
  /** Raw JSON config by `PLUGIN_CONFIG_<ID>` suffix (see config/index.ts). */
  rawConfigs?: Record<string, string>;
  /** Per plugin, per event. */
  eventBudgetMs?: number;
  /** Time `init` may take. */
  initBudgetMs?: number;
  /** Time a plugin module's top-level code may take to load (default 10 s). */
  loadBudgetMs?: number;
  /** Time one run of a scheduled task of a thread-run plugin may take (default 60 s). */
  taskBudgetMs?: number;
  /** Time a route handler of a thread-run plugin may take (default 5 s, as `PLUGIN_HOOK_BUDGET_MS`). */
  routeBudgetMs?: number;
  /** Time an issue action (its `available` check, or a run) may take (default: `routeBudgetMs`). */
  actionBudgetMs?: number;
  /** Relative folder specs are resolved from here (default: the working directory). */
  baseDir?: string;
  /** Host version to check `hostVersion` ranges against (default: core's package version). */
  hostVersion?: string;
  /** Parent of the plugins' containers (default: tsyringe's root container). */
  container?: DependencyContainer;
  /**
   * Built-in plugins (from `extensions/*`): always loaded, but off until an organization or project
   * turns them on; their installation config may be missing (it can come per organization/project).
   */
  builtins?: PluginSpec[];
  /** Per-organization/project on/off and config; without it every plugin is on everywhere. */
  settings?: PluginSettingsStore;
  /** Where failed calls are counted across processes. */
  failures?: PluginFailures;
  /** The services this process can give a plugin beyond logger, config, storage and scheduler. */
  services?: (pluginId: string) => ExtraServices;
}

/** Services built outside the host (by the services domain), per plugin. */
export interface ExtraServices {
  'core.issues'?: IssuesService;
  'core.events'?: EventsService;
  'core.http'?: HttpClient;
  'core.httpRouter'?: HttpRouter;
  'core.linkedAccounts'?: LinkedAccountsService;
  'core.installations'?: InstallationsService;
}

/** Injection tokens of the services plugins can ask for, by their SDK service ref id. */
export const PLUGIN_SERVICE_TOKENS = {
  'core.logger': Symbol('plugin:core.logger') as InjectionToken<PluginLogger>,
  'core.config': Symbol('plugin:core.config') as InjectionToken<PluginConfig>,
  'core.storage': Symbol('plugin:core.storage') as InjectionToken<KeyValueStorage>,
  'core.issues': Symbol('plugin:core.issues') as InjectionToken<IssuesService>,
  'core.events': Symbol('plugin:core.events') as InjectionToken<EventsService>,
  'core.http': Symbol('plugin:core.http') as InjectionToken<HttpClient>,
  'core.scheduler': Symbol('plugin:core.scheduler') as InjectionToken<Scheduler>,
  'core.httpRouter': Symbol('plugin:core.httpRouter') as InjectionToken<HttpRouter>,
  'core.linkedAccounts': Symbol('plugin:core.linkedAccounts') as InjectionToken<LinkedAccountsService>,
  'core.installations': Symbol('plugin:core.installations') as InjectionToken<InstallationsService>,
} as const;

export type HookName = (typeof HOOK_NAMES)[number];
type HookArg<H extends HookName> = Parameters<NonNullable<PluginHooks[H]>>[0];

export interface LoadedPlugin {
  id: string;
  version: string;
  description: string | undefined;
  source: string;
  /** From `extensions/*`: off until turned on for an organization or project. */
  builtin: boolean;
  hooks: PluginHooks;
  /** The issue actions its `init` returned. */
  issueActions: readonly IssueActionInfo[];
  /** Calls one of them (on the plugin's thread, or here under the Sandbox). */
  callAction(actionId: string, arg: ActionCallArg, budgetMs: number): Promise<ActionCallOutcome>;
  container: DependencyContainer;
  manifest: Manifest;
  /** The installation config (`PLUGIN_CONFIG_<ID>`) as given, before validation: the bottom layer. */
  installConfig: Record<string, unknown>;
  /** The tasks it scheduled during init. */
  scheduler: PluginScheduler;
  /**
   * The worker thread its code runs on: set for plugins loaded by package name or path, which is
   * every plugin of a real installation. Unset for plugin objects handed in (tests), which run in
   * this thread under the Sandbox.
   */
  thread?: PluginThread;
}

/** What the API's plugin list shows of a plugin. */
export interface PluginDescription {
  id: string;
  version: string;
  description: string | null;
  source: string;
  builtin: boolean;
  hooks: HookName[];
  hasAlertAction: boolean;
  configFields: ConfigField[];
  /** The config as JSON Schema (secrets `writeOnly`, installation-only fields `readOnly`); null: none. */
  configSchema: JsonSchema | null;
  /** An alert action's config in a rule as JSON Schema; null without an alert action or schema. */
  actionConfigSchema: JsonSchema | null;
  failures: FailureCounts;
}

export interface PluginWarning {
  plugin: string;
  message: string;
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
/** As `PLUGIN_HOOK_BUDGET_MS` by default. */
const DEFAULT_HOOK_BUDGET_MS = 5000;

class SkipPlugin extends Error {}

/** What starting a plugin gives, on its thread or here. */
interface Started {
  hooks: PluginHooks;
  issueActions: readonly IssueActionInfo[];
  callAction: LoadedPlugin['callAction'];
}

/**
 * Loads plugins defensively (a broken one is logged and skipped; the host starts anyway), gives each
 * its own child container with the services it declared, and runs their hooks under time budgets.
 *
 * A plugin named by package or path (every plugin of a real installation, built-ins included) runs on
 * a worker thread of its own (PluginThread): a call that overruns its budget gets the thread
 * terminated and restarted, so even a busy loop after an `await` is stopped, and this thread's event
 * loop never runs the plugin's code (only the module's top level, once, to read its manifest). A
 * plugin object handed in directly (tests) runs here under the `node:vm` Sandbox, which interrupts a
 * synchronous busy loop but not one after an `await`.
 */
export class PluginHost {
  readonly loaded: LoadedPlugin[] = [];
  readonly skipped: SkippedPlugin[] = [];
  /** What loaded but looks wrong (e.g. an unknown manifest key), as logged at start. */
  readonly warnings: PluginWarning[] = [];
  private readonly health = new Map<string, PluginHealth & { pauses: number }>();
  private readonly sandbox = new Sandbox();
  /** Each plugin's schemas as JSON Schema, made once: the catalogue is read on every plugin page. */
  private readonly described = new Map<
    string,
    Pick<PluginDescription, 'configSchema' | 'actionConfigSchema'>
  >();
  /** Load probes by resolved module path, so each module is probed once. */
  private readonly probes = new Map<string, Promise<LoadProbeFailure | undefined>>();
  private readonly eventBudgetMs: number;
  /** See `batchCache`. A batch's entry goes with its transaction object. */
  private readonly batches = new WeakMap<Knex.Transaction, Map<string, Promise<unknown>>>();

  private constructor(private readonly options: PluginHostOptions) {
    this.eventBudgetMs = options.eventBudgetMs ?? 50;
  }

  static async start(specs: PluginSpec[], options: PluginHostOptions): Promise<PluginHost> {
    const host = new PluginHost(options);
    // Probe every module at once (each on its own thread), rather than one after another.
    for (const spec of [...specs, ...(options.builtins ?? [])]) {
      if (typeof spec !== 'string') continue;
      try {
        void host.probe(host.resolvePlugin(spec));
      } catch {
        // Reported when this spec is loaded.
      }
    }
    for (const spec of specs) await host.load(spec, false);
    for (const spec of options.builtins ?? []) await host.load(spec, true);
    if (options.processEventOnly) {
      const idle = host.loaded.filter((p) => !p.hooks.processEvent);
      await Promise.all(idle.map((p) => p.thread?.stop()));
      host.loaded.splice(0, host.loaded.length, ...host.loaded.filter((p) => p.hooks.processEvent));
    }
    if (host.loaded.length + host.skipped.length > 0) {
      options.log.info(
        { loaded: host.loaded.map((p) => `${p.id}@${p.version}`), skipped: host.skipped.length },
        'plugins loaded',
      );
    }
    return host;
  }

  /** Stops the plugins' threads and writes failure counts still buffered. */
  async stop(): Promise<void> {
    await Promise.all(this.loaded.map((p) => p.thread?.stop()));
    await this.options.failures
      ?.flush()
      .catch((err: unknown) => this.options.log.warn({ err }, 'plugin failure counts not saved'));
  }

  get hasEventProcessors(): boolean {
    return this.loaded.some((p) => p.hooks.processEvent);
  }

  plugin(id: string): LoadedPlugin | undefined {
    return this.loaded.find((p) => p.id === id);
  }

  /** Whether the plugin is on for the project (see `resolveEnabled` for who decides). */
  /**
   * Whether the plugin is off wherever no organization or project turned it on (a built-in, with
   * per-project settings in use), so work for it can be skipped while no `plugin_settings` row does.
   */
  offUnlessTurnedOn(pluginId: string): boolean {
    return Boolean(this.options.settings && this.plugin(pluginId)?.builtin);
  }

  async isEnabled(pluginId: string, projectId: number): Promise<boolean> {
    const plugin = this.plugin(pluginId);
    if (!plugin) return false;
    if (!this.options.settings) return true;
    const layers = await this.layersFor(projectId);
    if (!layers) return false;
    return resolveEnabled(plugin.builtin, layers.organization.get(pluginId), layers.project.get(pluginId));
  }

  /**
   * The config in effect for a project: installation, organization and project settings merged field
   * by field, validated against the plugin's schema. Throws `PluginConfigError` naming the field.
   */
  async configFor(pluginId: string, projectId: number): Promise<unknown> {
    const batch = this.batchCache();
    if (!batch) return this.workOutConfig(pluginId, projectId);
    const key = `config:${pluginId}:${projectId}`;
    let config = batch.get(key);
    if (!config) batch.set(key, (config = this.workOutConfig(pluginId, projectId)));
    // Each call gets its own copy: a plugin changing its config object must not change it for the
    // next event of the batch.
    return structuredClone(await config);
  }

  /**
   * Work cached for one pipeline batch (keyed by its transaction, which `processEvent` runs in), so
   * the settings and config of a project are read and validated once per batch, however many of
   * its events the batch holds and however often plugins ask. Outside a batch: none.
   */
  private batchCache(): Map<string, Promise<unknown>> | undefined {
    const trx = hookTransaction.getStore();
    if (!trx) return undefined;
    let cache = this.batches.get(trx);
    if (!cache) this.batches.set(trx, (cache = new Map()));
    return cache;
  }

  private layersFor(projectId: number): Promise<ProjectLayers | undefined> {
    const settings = this.options.settings;
    if (!settings) return Promise.resolve(undefined);
    const batch = this.batchCache();
    if (!batch) return settings.forProject(projectId);
    const key = `layers:${projectId}`;
    let layers = batch.get(key) as Promise<ProjectLayers | undefined> | undefined;
    if (!layers) batch.set(key, (layers = settings.forProject(projectId)));
    return layers;
  }

  private async workOutConfig(pluginId: string, projectId: number): Promise<unknown> {
    const plugin = this.plugin(pluginId);
    if (!plugin) throw new PluginError(`plugin ${pluginId} is not loaded`, { code: 'unknown_plugin' });
    const layers = await this.layersFor(projectId);
    const merged = effectiveConfig(plugin, layers?.organization.get(pluginId), layers?.project.get(pluginId));
    const result = validateAgainst(plugin.manifest.configSchema, merged);
    if (!result.ok)
      throw new PluginConfigError(
        `plugin ${pluginId}: config in effect for project ${projectId} is invalid: ${describeProblems(result.problems)}`,
      );
    return result.data;
  }

  /**
   * Calls one hook of one plugin isolated, under `budgetMs` (on its thread, else under the Sandbox).
   * Throws when the plugin isn't loaded or lacks the hook, and when the call threw or ran out of time
   * (`PluginTimeoutError`; a thread-run plugin's thread is then restarted for the next call).
   */
  async invoke<H extends HookName>(
    pluginId: string,
    hook: H,
    arg: HookArg<H>,
    budgetMs: number,
  ): Promise<unknown> {
    const plugin = this.plugin(pluginId);
    if (!plugin) throw new PluginError(`plugin ${pluginId} is not loaded`, { code: 'unknown_plugin' });
    const fn = plugin.hooks[hook] as ((arg: HookArg<H>) => unknown) | undefined;
    if (typeof fn !== 'function')
      throw new PluginError(`plugin ${pluginId} has no ${hook} hook`, { code: 'no_such_hook' });
    if (plugin.thread) return plugin.thread.call(hook, arg, budgetMs);
    return this.sandbox.run(
      () => fn.call(plugin.hooks, arg),
      budgetMs,
      `plugin ${pluginId}: ${hook}`,
      budgetSetting('hook', hook),
    );
  }

  /** The loaded plugins, with what they offer and how often they failed (across processes). */
  async catalogue(): Promise<PluginDescription[]> {
    // A read only (a GET must not write): processEvent failures this process has not written yet
    // (they are written within a second, and on stop) are added from memory.
    const counts =
      (await this.options.failures?.counts({ withUnwritten: true })) ?? new Map<string, FailureCounts>();
    return this.loaded.map((p) => {
      const failures = { ...(counts.get(p.id) ?? emptyCounts()) };
      // Without a shared store, this process's own processEvent failures.
      if (!this.options.failures) failures.processEvent = this.health.get(p.id)?.failures ?? 0;
      return {
        id: p.id,
        version: p.version,
        description: p.description ?? null,
        source: p.builtin ? 'builtin' : p.source,
        builtin: p.builtin,
        hooks: HOOK_NAMES.filter((name) => typeof p.hooks[name] === 'function'),
        hasAlertAction: typeof p.hooks.onAlert === 'function',
        configFields: configFields(p.manifest.configSchema),
        ...this.schemasOf(p),
        failures,
      };
    });
  }

  private schemasOf(p: LoadedPlugin): Pick<PluginDescription, 'configSchema' | 'actionConfigSchema'> {
    let schemas = this.described.get(p.id);
    if (!schemas) {
      const alerts = typeof p.hooks.onAlert === 'function';
      schemas = {
        configSchema: configJsonSchema(p.manifest.configSchema),
        actionConfigSchema: alerts ? configJsonSchema(p.manifest.actionConfigSchema) : null,
      };
      this.described.set(p.id, schemas);
    }
    return schemas;
  }

  /**
   * How often one plugin's calls failed, by kind, across processes, with the last error of each kind
   * (none without a shared failure store).
   */
  async failuresOf(
    pluginId: string,
  ): Promise<{ counts: FailureCounts; lastErrors: Partial<Record<FailureKind, string>> }> {
    const counts = (await this.catalogue()).find((p) => p.id === pluginId)?.failures ?? emptyCounts();
    const lastErrors = (await this.options.failures?.lastErrors(pluginId)) ?? {};
    return { counts, lastErrors };
  }

  /** Counts a failed call of a plugin's code (hooks, alert actions, tasks) in the shared store. */
  async recordFailure(pluginId: string, kind: 'hook' | 'alert' | 'task', error: unknown): Promise<void> {
    await this.options.failures
      ?.record(pluginId, kind, error)
      .catch((err: unknown) =>
        this.options.log.warn({ err, plugin: pluginId }, 'plugin failure not counted'),
      );
  }

  /**
   * Runs a call of plugin `pluginId`'s code (a route handler, a scheduled task) under a time budget:
   * in the Sandbox for a plugin object run on this thread. A thread-run plugin's call is already a
   * message to its thread, which enforces the host's budget (`routeBudgetMs`, `taskBudgetMs`) by
   * restarting the thread, so it is not wrapped a second time.
   */
  async runIsolated<T>(
    pluginId: string,
    call: () => T | Promise<T>,
    budgetMs: number,
    what: string,
  ): Promise<T> {
    if (this.plugin(pluginId)?.thread) return call();
    return this.sandbox.run(call, budgetMs, what);
  }

  /** The time an issue action may take (`available` or a run). */
  get actionBudgetMs(): number {
    return this.options.actionBudgetMs ?? this.options.routeBudgetMs ?? DEFAULT_HOOK_BUDGET_MS;
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
  async processEvent(
    event: NormalizedEvent,
    trx?: Knex.Transaction,
    projectId?: number,
  ): Promise<NormalizedEvent | null> {
    return trx
      ? hookTransaction.run(trx, () => this.runProcessEvent(event, projectId))
      : this.runProcessEvent(event, projectId);
  }

  private async runProcessEvent(event: NormalizedEvent, projectId?: number): Promise<NormalizedEvent | null> {
    let current = event;
    // Always set in the pipeline; only tests of the host itself call this without a project.
    const context = projectId === undefined ? undefined : { projectId: String(projectId) };
    for (const plugin of this.loaded) {
      const hook = plugin.hooks.processEvent;
      if (!hook) continue;
      if (projectId !== undefined && !(await this.isEnabled(plugin.id, projectId))) continue;
      if (this.isPaused(plugin.id)) continue;
      try {
        const output = plugin.thread
          ? // Posting the event to the thread copies it, as structuredClone does below.
            await plugin.thread.call('processEvent', current, this.eventBudgetMs, context)
          : await this.sandbox.run(
              () =>
                hook.call(
                  plugin.hooks,
                  structuredClone(current) as unknown as PluginEvent,
                  {
                    ...context,
                  } as EventContext,
                ),
              this.eventBudgetMs,
              `plugin ${plugin.id}: processEvent`,
              budgetSetting('hook', 'processEvent'),
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
        // Held back by a pause, or queued behind a call whose overrun restarted the thread: the
        // plugin never saw this event, so it is not one of its failures.
        if ((error as { code?: unknown }).code === 'plugin_not_run') continue;
        this.failed(plugin, error, current.event_id);
      }
    }
    return current;
  }

  private isPaused(id: string): boolean {
    const pausedUntil = this.health.get(id)!.pausedUntil;
    return pausedUntil !== undefined && pausedUntil > Date.now();
  }

  private succeeded(id: string): void {
    const h = this.health.get(id)!;
    h.consecutiveFailures = 0;
    // A call that was already running when the pause began does not lift it.
    if (this.isPaused(id)) return;
    h.pauses = 0;
    h.pausedUntil = undefined;
  }

  private failed(plugin: LoadedPlugin, error: unknown, eventId: string): void {
    const h = this.health.get(plugin.id)!;
    h.failures += 1;
    this.options.failures?.recordLater(plugin.id, 'processEvent', error);
    const log = this.options.log.child({ plugin: plugin.id });
    log.warn(
      { err: error, eventId, failures: h.failures },
      'plugin processEvent failed; the event goes on without it',
    );
    // Calls that were running when the pause began each count once as failures, but they belong to
    // the streak that caused the pause: they neither lengthen it nor start the next one.
    if (this.isPaused(plugin.id)) return;
    h.consecutiveFailures += 1;
    if (h.consecutiveFailures >= FAILURES_BEFORE_PAUSE) {
      const pause = Math.min(MAX_PAUSE_MS, PAUSE_MS * 2 ** h.pauses);
      h.pauses += 1;
      h.consecutiveFailures = 0;
      h.pausedUntil = Date.now() + pause;
      // Events already sent to the plugin's thread but not started there are held back too.
      const heldBack = plugin.thread?.cancelQueued('processEvent', 'its processEvent is paused') ?? 0;
      log.error(
        { pauseMs: pause, failures: h.failures, heldBack },
        'plugin keeps failing; its processEvent is paused',
      );
    }
  }

  private warn(plugin: string, message: string): void {
    this.warnings.push({ plugin, message });
    this.options.log.warn({ plugin }, `plugin ${plugin}: ${message}`);
  }

  private async load(spec: PluginSpec, builtin: boolean): Promise<void> {
    const source = typeof spec === 'string' ? spec : IN_PROCESS_SOURCE;
    try {
      await this.loadOrSkip(spec, source, builtin);
    } catch (error) {
      const reason = error instanceof SkipPlugin ? error.message : `failed to start: ${describe(error)}`;
      this.skipped.push({ source, reason });
      this.options.log.error({ plugin: source }, `plugin ${source} skipped: ${reason}`);
    }
  }

  private async loadOrSkip(spec: PluginSpec, source: string, builtin: boolean): Promise<void> {
    const required = typeof spec === 'string' ? await this.requirePlugin(spec) : undefined;
    const exported = required ? required.exported : spec;
    const parsed = manifestSchema.safeParse(exported);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length > 0 ? `${issue.path.join('.')} ` : '';
      throw new SkipPlugin(`invalid plugin manifest: ${field}${issue.message}`);
    }
    const manifest = parsed.data;
    const unknownKeys = Object.keys(exported as object).filter(
      (key) => !Object.hasOwn(manifestSchema.shape, key),
    );
    if (unknownKeys.length > 0)
      this.warn(
        manifest.id,
        `unknown manifest keys ${unknownKeys.join(', ')} are ignored (a manifest has ${Object.keys(
          manifestSchema.shape,
        )
          .filter((k) => k !== '$$type')
          .join(', ')})`,
      );
    const hostVersion = this.options.hostVersion ?? HOST_VERSION;
    if (!semver.satisfies(hostVersion, manifest.hostVersion, { includePrerelease: true }))
      throw new SkipPlugin(
        `${manifest.id}@${manifest.version} supports Faultline ${manifest.hostVersion}, but this is Faultline ${hostVersion}`,
      );
    if (this.loaded.some((p) => p.id === manifest.id)) {
      // A built-in also named in PLUGINS (by package name): loaded already, and on everywhere.
      if (builtin) return;
      throw new SkipPlugin(`a plugin with id ${manifest.id} is already loaded`);
    }
    const { installConfig, value: config } = this.validateConfig(manifest, builtin);
    const scheduler = new PluginScheduler(manifest.id);
    const container = this.containerFor(manifest.id, config, scheduler);
    const loaded = required
      ? await this.startOnThread(manifest, required.resolved, config, container)
      : await this.startInProcess(manifest, container);
    scheduler.close();
    this.loaded.push({
      id: manifest.id,
      version: manifest.version,
      description: manifest.description,
      source,
      builtin,
      hooks: loaded.hooks,
      issueActions: loaded.issueActions,
      callAction: loaded.callAction,
      container,
      manifest,
      installConfig,
      scheduler,
      thread: loaded.thread,
    });
    this.health.set(manifest.id, { failures: 0, consecutiveFailures: 0, pausedUntil: undefined, pauses: 0 });
  }

  /**
   * Starts the plugin on a thread of its own, which runs `register` and `init` with stand-ins for the
   * services of its container. The hooks seen from here are calls to that thread.
   */
  private async startOnThread(
    manifest: Manifest,
    resolved: string,
    config: unknown,
    container: DependencyContainer,
  ): Promise<Started & { thread: PluginThread }> {
    const services: Record<string, object> = {};
    for (const [id, token] of Object.entries(PLUGIN_SERVICE_TOKENS) as [string, InjectionToken<object>][])
      if (container.isRegistered(token)) services[id] = container.resolve(token);
    let thread: PluginThread;
    try {
      thread = await PluginThread.start({
        pluginId: manifest.id,
        module: resolved,
        config,
        services,
        initBudgetMs: this.options.initBudgetMs,
        taskBudgetMs: this.options.taskBudgetMs,
        routeBudgetMs: this.options.routeBudgetMs ?? DEFAULT_HOOK_BUDGET_MS,
        log: this.options.log,
      });
    } catch (error) {
      throw new SkipPlugin(describe(error));
    }
    const hooks = Object.fromEntries(
      thread.hookNames.map((name) => {
        // For code that calls `plugin.hooks[name]` itself; the host's own calls pass their budget.
        const budget =
          name === 'processEvent'
            ? this.eventBudgetMs
            : (this.options.routeBudgetMs ?? DEFAULT_HOOK_BUDGET_MS);
        return [name, (arg: unknown) => thread.call(name, arg, budget)];
      }),
    ) as PluginHooks;
    return {
      hooks,
      thread,
      issueActions: thread.issueActions,
      callAction: (actionId, arg, budgetMs) => thread.callAction(actionId, arg, budgetMs),
    };
  }

  /** Runs `register` and `init` of a plugin object in this thread, under the Sandbox. */
  private async startInProcess(
    manifest: Manifest,
    container: DependencyContainer,
  ): Promise<Started & { thread?: undefined }> {
    const registrations: unknown[] = [];
    manifest.register({ registerInit: (registration) => void registrations.push(registration) });
    const registration = asSkip(() => checkRegistrations(registrations));
    const tokens = PLUGIN_SERVICE_TOKENS as Record<string, InjectionToken<unknown>>;
    const provided = Object.keys(tokens).filter((id) => container.isRegistered(tokens[id]));
    asSkip(() => checkDeps(registration.deps, provided));
    const deps: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(registration.deps))
      deps[name] = container.resolve(tokens[ref.id]);
    const initBudget = this.options.initBudgetMs ?? 10_000;
    const contribution = await this.sandbox.run(
      () => registration.init(deps as Parameters<typeof registration.init>[0]),
      initBudget,
      `plugin ${manifest.id}: init`,
    );
    const contributed = contribution as { hooks?: unknown; issueActions?: unknown } | undefined;
    const hooks = asSkip(() => checkHooks(contributed?.hooks));
    const actions = asSkip(() => checkIssueActions(contributed?.issueActions));
    const issueActions = asSkip(() => describeIssueActions(actions));
    return {
      hooks: hooks as PluginHooks,
      issueActions,
      callAction: (actionId, arg, budgetMs) =>
        this.sandbox.run(
          () => performActionCall(actions, actionId, arg),
          budgetMs,
          `plugin ${manifest.id}: issue action ${actionId}`,
          budgetSetting('action', actionId),
        ),
    };
  }

  /** Where the module of a package name or folder spec is; a SkipPlugin when there is none. */
  private resolvePlugin(spec: string): string {
    const isPath = spec.startsWith('.') || path.isAbsolute(spec);
    const target = isPath ? path.resolve(this.options.baseDir ?? process.cwd(), spec) : spec;
    try {
      return require.resolve(target, { paths: [this.options.baseDir ?? process.cwd()] });
    } catch (error) {
      throw new SkipPlugin(
        isPath ? `no plugin found at ${target}` : `package ${spec} is not installed (${describe(error)})`,
      );
    }
  }

  /**
   * The load probe of a module (see load-probe.ts), started once per module. A module this process
   * has loaded already is not probed: requiring it again runs none of its code.
   */
  private probe(resolved: string): Promise<LoadProbeFailure | undefined> {
    if (require.cache[resolved]) return Promise.resolve(undefined);
    let probe = this.probes.get(resolved);
    if (!probe) {
      probe = probeModuleLoad(resolved, this.options.loadBudgetMs ?? 10_000);
      this.probes.set(resolved, probe);
    }
    return probe;
  }

  /**
   * Loads the plugin's module here, for its manifest (only its top-level code runs in this thread),
   * and says where it was found, for the plugin's thread to load it again. A probe thread loads it
   * first, so top-level code that never finishes or ends the thread skips the plugin instead of
   * hanging the host.
   */
  private async requirePlugin(spec: string): Promise<{ exported: unknown; resolved: string }> {
    const resolved = this.resolvePlugin(spec);
    const budget = this.options.loadBudgetMs ?? 10_000;
    const probe = await this.probe(resolved);
    if (probe?.kind === 'timeout')
      throw new SkipPlugin(
        `its module did not finish loading within ${budget} ms (a loop or blocking call at its top level?)`,
      );
    if (probe) throw new SkipPlugin(`could not be loaded: ${probe.message}`);
    let mod: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(resolved);
    } catch (error) {
      throw new SkipPlugin(`could not be loaded: ${describe(error)}`);
    }
    const m = mod as { default?: unknown; plugin?: unknown } | null;
    return { exported: m?.default ?? m?.plugin ?? mod, resolved };
  }

  /**
   * The installation config. A listed plugin is skipped when it doesn't match its schema; a built-in
   * is loaded anyway (its config may come per organization or project) and checked when used.
   */
  private validateConfig(
    manifest: Manifest,
    builtin: boolean,
  ): { installConfig: Record<string, unknown>; value: unknown } {
    const variable = configVariable(manifest.id);
    const raw = this.options.rawConfigs?.[configVariableSuffix(manifest.id)];
    let value: unknown = {};
    if (raw !== undefined) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new SkipPlugin(new PluginConfigError(`${variable} is not valid JSON`).message);
      }
    }
    const installConfig =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {};
    const result = validateAgainst(manifest.configSchema, value);
    if (result.ok) return { installConfig, value: result.data };
    if (builtin && raw === undefined) return { installConfig, value };
    throw new SkipPlugin(
      new PluginConfigError(
        `invalid config ${describeProblems(result.problems, ': ')} (set it in ${variable} as JSON)`,
      ).message,
    );
  }

  /** One child container per plugin, holding the services made for it (built eagerly, from values). */
  private containerFor(id: string, config: unknown, scheduler: PluginScheduler): DependencyContainer {
    const child = (this.options.container ?? rootContainer).createChildContainer();
    child.register(PLUGIN_SERVICE_TOKENS['core.logger'], {
      useValue: pluginLogger(this.options.log.child({ plugin: id })),
    });
    const pluginConfig: PluginConfig = Object.freeze({
      value: config,
      forProject: (projectId: string) => this.configFor(id, Number(projectId)),
    });
    child.register(PLUGIN_SERVICE_TOKENS['core.config'], { useValue: pluginConfig });
    child.register(PLUGIN_SERVICE_TOKENS['core.storage'], {
      useValue: new PostgresKeyValueStorage(this.options.knex, id),
    });
    child.register(PLUGIN_SERVICE_TOKENS['core.scheduler'], { useValue: scheduler });
    const extra = this.options.services?.(id) ?? {};
    for (const [serviceId, service] of Object.entries(extra)) {
      const token = (PLUGIN_SERVICE_TOKENS as Record<string, InjectionToken<unknown>>)[serviceId];
      if (token && service !== undefined) child.register(token, { useValue: service });
    }
    return child;
  }
}

/**
 * Listed plugins are on and built-ins off by default. An organization's explicit `false` is final:
 * none of its projects can turn the plugin back on (the organization's admins decided what runs on
 * their data). Otherwise a project's setting wins over the organization's, then the default applies.
 */
export function resolveEnabled(
  builtin: boolean,
  organization: SettingsLayer | undefined,
  project: SettingsLayer | undefined,
): boolean {
  if (organization?.enabled === false) return false;
  return project?.enabled ?? organization?.enabled ?? !builtin;
}

/**
 * The config in effect (not validated): the installation config, then the organization's and the
 * project's settings, field by field. Installation-only fields come from the installation alone.
 */
export function effectiveConfig(
  plugin: LoadedPlugin,
  organization: SettingsLayer | undefined,
  project: SettingsLayer | undefined,
): Record<string, unknown> {
  const reserved = installationOnlyFieldNames(plugin.manifest.configSchema);
  return mergeLayers(
    plugin.installConfig,
    ...[organization, project].flatMap((layer) => [
      withoutFields(layer?.config, reserved),
      withoutFields(layer?.secrets, reserved),
    ]),
  );
}

/** Runs a registration check; its complaint skips the plugin with that reason. */
function asSkip<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new SkipPlugin(describe(error));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
