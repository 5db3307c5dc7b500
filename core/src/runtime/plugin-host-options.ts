import type { Knex } from 'knex';
import type { DependencyContainer } from 'tsyringe';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { secretBoxFor } from '../auth';
import { INSTALLATIONS_PURPOSE } from '../integrations';
import {
  discoverBuiltins,
  PLUGIN_SETTINGS_PURPOSE,
  PluginFailures,
  PluginSettingsStore,
  pluginServices,
  type PluginHostOptions,
  type PluginSpec,
} from '../plugins';

/** What the main process's plugin host and the pipeline thread's differ in. */
export interface PluginHostWiring {
  knex: Knex;
  /** The plugins' logger (failures are logged there too). */
  log: Logger;
  plugins: Config['plugins'];
  /** The built-in plugins to load (default: every one under extensions/). */
  builtins?: string[];
  /** The server's secret key (`loadSecretKey`); secret plugin settings are sealed with a key derived from it. */
  secretKey: Buffer;
  /** Base of issue permalinks, for plugins' issues service. */
  publicUrl: string;
  /**
   * Either the pipeline thread's host, which serves processEvent only (hooks, alert actions, tasks
   * and routes run in the main process), or the main process's, with its container as the parent
   * of the plugins' containers.
   */
  role: { processEventOnly: true } | { container: DependencyContainer };
}

/**
 * The arguments of `PluginHost.start` for either process, built in one place so the two hosts load
 * the same plugins the same way; `settings` is the store passed in `options`.
 */
export function pluginHostStart(wiring: PluginHostWiring): {
  specs: PluginSpec[];
  options: PluginHostOptions;
  settings: PluginSettingsStore;
} {
  const { knex, log, plugins, role } = wiring;
  const settings = new PluginSettingsStore(knex, secretBoxFor(wiring.secretKey, PLUGIN_SETTINGS_PURPOSE));
  return {
    specs: plugins.specs,
    options: {
      knex,
      log,
      rawConfigs: plugins.rawConfigs,
      eventBudgetMs: plugins.eventBudgetMs,
      ...('processEventOnly' in role
        ? { processEventOnly: true }
        : { routeBudgetMs: plugins.hookBudgetMs, container: role.container }),
      builtins: wiring.builtins ?? discoverBuiltins(),
      settings,
      failures: new PluginFailures(knex, log),
      services: pluginServices({
        knex,
        publicUrl: wiring.publicUrl,
        allowPrivateNetworks: plugins.allowPrivateNetworks,
        installations: secretBoxFor(wiring.secretKey, INSTALLATIONS_PURPOSE),
      }),
    },
    settings,
  };
}
