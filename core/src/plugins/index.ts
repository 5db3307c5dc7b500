/**
 * The plugin host: loads plugins written against @faultline/plugin-sdk and runs their hooks.
 */
export {
  PluginHost,
  PLUGIN_SERVICE_TOKENS,
  IN_PROCESS_SOURCE,
  resolveEnabled,
  type PluginHostOptions,
  type PluginSpec,
  type LoadedPlugin,
  type SkippedPlugin,
  type PluginWarning,
  type PluginHealth,
  type PluginDescription,
  type ExtraServices,
  type HookName,
} from './host';
export {
  HookDispatcher,
  hookQueueName,
  type HookDispatcherOptions,
  type HookDeliveryStats,
} from './hook-dispatcher';
export { HOST_VERSION, configVariable } from './manifest';
export { PluginAlertActions } from './alert-actions';
export { discoverBuiltins, EXTENSIONS_DIR } from './builtins';
export {
  PluginSettingsStore,
  PLUGIN_SETTINGS_PURPOSE,
  SecretsUnavailableError,
  type SettingsLayer,
  type SettingsScope,
  type Sealer,
} from './settings';
export { PluginFailures, FAILURE_KINDS, type FailureKind, type FailureCounts } from './failures';
export { PluginScheduler, taskQueueName, type ScheduledTask } from './scheduler';
export { PostgresKeyValueStorage } from './storage';
export { startScheduledTasks, type ScheduledTaskOptions } from './scheduled-tasks';
export { pluginServices, routesOf, type PluginServiceOptions } from './plugin-services';
export {
  configFields,
  secretFieldNames,
  fieldSchema,
  validateAgainst,
  mergeLayers,
  maskSecrets,
  type ConfigField,
  type MaskedSecret,
} from './config-fields';
export {
  PluginAdmin,
  PluginSettingsInvalid,
  type PluginView,
  type PluginSettingsChange,
  type AlertActionOffer,
} from './plugin-admin';
export { PluginSourceLinks } from './source-links';
export { IssueActions, type IssueActionView, type ActionRunner } from './issue-actions';
export { type IssueActionInfo } from './issue-action-calls';
export { mountPluginRoutes, PLUGIN_ROUTE_PREFIX, type PluginRouteOptions } from './routes';
