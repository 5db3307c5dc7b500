/**
 * The plugin host: loads plugins written against @faultline/plugin-sdk and runs their hooks.
 */
export {
  PluginHost,
  PLUGIN_SERVICE_TOKENS,
  type PluginHostOptions,
  type PluginSpec,
  type LoadedPlugin,
  type SkippedPlugin,
  type PluginHealth,
} from './host';
export { HookDispatcher, type HookDispatcherOptions, type HookDeliveryStats } from './hook-dispatcher';
export { HOST_VERSION } from './manifest';
