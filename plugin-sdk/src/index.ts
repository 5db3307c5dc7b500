/**
 * @faultline/plugin-sdk: the only package a Faultline plugin imports. See README.md.
 */
export {
  definePlugin,
  type PluginDefinition,
  type PluginOptions,
  type PluginEnvironment,
  type InitRegistration,
  type ConfigOf,
} from './define-plugin';
export {
  coreServices,
  createServiceRef,
  type ServiceRef,
  type Logger,
  type PluginConfig,
  type KeyValueStorage,
  type IssuesService,
  type IssueSummary,
  type EventsService,
} from './services';
export { HOOK_NAMES, type PluginHooks, type Awaitable, type ChangeActor, type IssueRef } from './hooks';
export { withTag, tagValue, type PluginEvent, type EventLevel } from './event';
export { PluginError, PluginConfigError, PluginTimeoutError } from './errors';
