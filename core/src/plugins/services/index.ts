/**
 * The services the host gives plugins (`coreServices` of @faultline/plugin-sdk), built per plugin by
 * the host: issues, events, outgoing HTTP, routes, linked accounts and installations.
 */
export { PluginIssuesService } from './issues-service';
export { PluginEventsService, pluginEventOf } from './events-service';
export { PluginLinkedAccountsService } from './linked-accounts-service';
export { PluginInstallationsService } from './installations-service';
export {
  createPluginHttpClient,
  effectiveTimeoutMs,
  DEFAULT_HTTP_TIMEOUT_MS,
  MAX_HTTP_TIMEOUT_MS,
  MAX_RESPONSE_BYTES,
  type PluginHttpClientOptions,
} from './http-client';
export { isNonPublicAddress } from './address-policy';
export { PluginRoutes, type PluginRouteHandler, type PluginRouteMethod } from './router';
export { signedInRequests, SignedInRequests } from './signed-in-requests';
