import type { z } from 'zod';
import type { IssueActionDefinition } from './actions';
import type { PluginHooks } from './hooks';
import type { PluginConfig, ServiceRef } from './services';

/**
 * The services `init` receives for `deps`: each ref's service type, and `coreServices.config` typed
 * with the plugin's config `C` (its `configSchema`'s output type).
 */
export type DepsOf<D, C = unknown> = {
  [K in keyof D]: D[K] extends ServiceRef<infer T>
    ? T extends PluginConfig<unknown>
      ? PluginConfig<C>
      : T
    : never;
};

export interface InitRegistration<D extends Record<string, ServiceRef<unknown>>, C = unknown> {
  deps: D;
  init(deps: DepsOf<D, C>): Promise<PluginContribution> | PluginContribution;
}

/** What `init` returns: the plugin's hooks and, optionally, the actions it offers on issues. */
export interface PluginContribution {
  hooks: PluginHooks;
  // `any`: each action has its own input schema, and a list of them must take every one.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  issueActions?: IssueActionDefinition<any>[];
}

/** What `register(env)` receives; `C` is the plugin's config type. */
export interface PluginEnvironment<C = unknown> {
  registerInit<D extends Record<string, ServiceRef<unknown>>>(registration: InitRegistration<D, C>): void;
}

export interface PluginOptions<S extends z.ZodType = z.ZodType> {
  /** Lowercase letters, digits and dashes, e.g. `health-check-filter`. */
  id: string;
  /** The plugin's own version (semver). */
  version: string;
  /** Host versions the plugin supports, as a semver range, e.g. `^0.1.0`. */
  hostVersion: string;
  /** Validates the plugin's config; the plugin is skipped when its config does not match. */
  configSchema?: S;
  /**
   * When the plugin offers an alert action (`hooks.onAlert`): the schema of the action's config in
   * a rule (e.g. the recipients of an email). A rule whose action config does not match is refused.
   */
  actionConfigSchema?: z.ZodType;
  /** Shown in the plugin list of the API, e.g. `Send alerts by email`. */
  description?: string;
  register(env: PluginEnvironment<z.output<S>>): void;
}

/** A plugin, as the host loads it. The marker lets the host tell it from other exports. */
export interface PluginDefinition<S extends z.ZodType = z.ZodType> extends PluginOptions<S> {
  readonly $$type: '@faultline/plugin';
}

/** Declares a plugin. Export the result as the module's default export. */
export function definePlugin<S extends z.ZodType = z.ZodType>(
  options: PluginOptions<S>,
): PluginDefinition<S> {
  return { ...options, $$type: '@faultline/plugin' };
}

/** The validated config type of a plugin's schema, for typing `coreServices.config`. */
export type ConfigOf<S extends z.ZodType> = z.infer<S>;
