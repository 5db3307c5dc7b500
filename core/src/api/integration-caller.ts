import type { IntegrationClient } from '@faultline/plugin-sdk';
import { integrationProvider } from '../identities';
import type { ApiCaller } from './auth';

/**
 * The integration (client `slack` or `github`) whose organization token made the request; any
 * other credential gets 403 `integration_required` naming `what` it tried.
 */
export function callerIntegration(caller: ApiCaller, what: string): IntegrationClient {
  return integrationProvider(
    { client: caller.client, userId: caller.user?.id ?? null, organizationId: caller.organizationId },
    what,
  );
}
