import type { Knex } from 'knex';
import type { Sealer } from '../identities';
import type { ExtraServices, PluginHost } from './host';
import { PLUGIN_SERVICE_TOKENS } from './host';
import {
  createPluginHttpClient,
  PluginEventsService,
  PluginInstallationsService,
  PluginIssuesService,
  PluginLinkedAccountsService,
  PluginRoutes,
} from './services';

export interface PluginServiceOptions {
  knex: Knex;
  /** Base of issue permalinks (`config.http.publicUrl`). */
  publicUrl: string;
  /** Let plugins' HTTP client reach private, loopback and link-local addresses. */
  allowPrivateNetworks: boolean;
  /**
   * Opens the installations integrations keep (sealed under `INSTALLATIONS_PURPOSE`); without it
   * (no server key) plugins see none.
   */
  installations?: Sealer;
}

/** Builds, per plugin, the services of the services domain: issues, events, outgoing HTTP, routes, linked accounts, installations. */
export function pluginServices(options: PluginServiceOptions): (pluginId: string) => ExtraServices {
  return (pluginId) => ({
    'core.issues': new PluginIssuesService(options.knex, pluginId, { publicUrl: options.publicUrl }),
    'core.events': new PluginEventsService(options.knex),
    'core.http': createPluginHttpClient({ allowPrivateAddresses: options.allowPrivateNetworks }),
    'core.httpRouter': new PluginRoutes(),
    'core.linkedAccounts': new PluginLinkedAccountsService(options.knex, pluginId),
    'core.installations': new PluginInstallationsService(options.knex, pluginId, options.installations),
  });
}

/** The routes a loaded plugin declared (through `coreServices.httpRouter`), if any. */
export function routesOf(host: PluginHost, pluginId: string): PluginRoutes | undefined {
  const plugin = host.plugin(pluginId);
  const token = PLUGIN_SERVICE_TOKENS['core.httpRouter'];
  if (!plugin || !plugin.container.isRegistered(token)) return undefined;
  const router = plugin.container.resolve(token);
  return router instanceof PluginRoutes ? router : undefined;
}
