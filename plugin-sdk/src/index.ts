/**
 * @faultline/plugin-sdk: the only package a Faultline plugin imports. See README.md.
 */
/**
 * The zod this SDK depends on (zod 4), for config schemas: a plugin that imports `z` from here needs
 * no zod of its own, and its schemas are the kind the host reads.
 */
export { z } from 'zod';
export {
  definePlugin,
  type PluginDefinition,
  type PluginOptions,
  type PluginEnvironment,
  type InitRegistration,
  type PluginContribution,
  type ConfigOf,
  type DepsOf,
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
  type IssueStatus,
  type IssueComment,
  type ExternalIssueLink,
  type ChangeOptions,
  type EventsService,
  type HttpClient,
  type HttpRequestOptions,
  type HttpResponse,
  type Scheduler,
  type HttpRouter,
  type PluginRequest,
  type PluginResponse,
  type SignedInUser,
  type IdentityToLink,
  type LinkedIdentity,
  type LinkedAccountsService,
  type InstallationsService,
  type InstalledWorkspace,
  type LinkedMember,
} from './services';
export {
  HOOK_NAMES,
  type PluginHooks,
  type EventContext,
  type Awaitable,
  type ChangeActor,
  type IssueRef,
  type IssueChange,
  type IssueAssignee,
  type AlertNotification,
  type AlertedIssue,
  type AlertTrigger,
  type SourceFrame,
  type SourceLinksRequest,
} from './hooks';
export {
  CLIENTS,
  CHANGE_SURFACES,
  INTEGRATION_CLIENTS,
  isIntegrationClient,
  type IntegrationClient,
  PLUGIN_SURFACES,
  isClient,
  type Client,
  type ChangeSurface,
  type HookSurface,
  type PluginSurface,
} from './clients';
export {
  defineIssueAction,
  type IssueActionDefinition,
  type IssueActionCall,
  type IssueActionResult,
} from './actions';
export { secret, isSecret, installationOnly, isInstallationOnly } from './secret';
export { withTag, tagValue, type PluginEvent, type EventLevel } from './event';
export { PluginError, PluginConfigError, PluginTimeoutError } from './errors';
