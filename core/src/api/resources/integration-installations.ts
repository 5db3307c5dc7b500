import { z } from 'zod';
import { externalId, type Sealer } from '../../identities';
import {
  deleteInstallation,
  INSTALLATIONS_PURPOSE,
  readInstallation,
  saveInstallation,
} from '../../integrations';
import type { IntegrationClient } from '@faultline/plugin-sdk';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { isoDate } from '../serializers/dates';

/** The provider's record of an installation: opaque to Faultline, but bounded. */
const installationRecord = z
  .record(z.string(), z.unknown())
  .refine((record) => JSON.stringify(record).length <= 16_384, 'must be at most 16 KiB of JSON');

const installationSchema = z
  .strictObject({
    workspace: z.string(),
    installation: z.record(z.string(), z.unknown()),
    dateCreated: z.iso.datetime(),
    dateUpdated: z.iso.datetime(),
  })
  .meta({ id: 'IntegrationInstallation' });

/**
 * The workspaces an integration was installed in through its provider's OAuth flow (the Slack
 * app's installation store, which Bolt reads for each request): only the integration's own token
 * reads, saves or forgets them, in its organization. Saving and forgetting need `org:write`, as
 * connecting a workspace to the organization is an admin's decision the token was given for.
 */
export function integrationInstallationRoutes({ knex, auth }: ApiDependencies): ApiRoute[] {
  // Built on first use: describing the API (no secrets, no database) must not need it.
  let sealer: Sealer | undefined;
  const box = () => (sealer ??= auth.secretBox(INSTALLATIONS_PURPOSE));
  const keyOf = (provider: IntegrationClient, organizationId: number, workspace: string) => ({
    organizationId,
    provider,
    workspaceId: externalId(workspace, 'workspace'),
  });
  const path = '/api/0/organizations/:organization/integration-installations/:workspace/';

  return [
    route({
      method: 'get',
      path,
      scope: 'org:read',
      resource: 'organization',
      integration: true,
      summary: "An integration's token reads its installation in a workspace (tokens included)",
      response: installationSchema,
      handler: async ({ integration, params, target: { access } }) => {
        const key = keyOf(integration, access.organization.id, params.workspace);
        const found = await readInstallation(knex, box(), key);
        return {
          workspace: found.workspaceId,
          installation: found.installation,
          dateCreated: isoDate(found.createdAt),
          dateUpdated: isoDate(found.updatedAt),
        };
      },
    }),
    route({
      method: 'put',
      path,
      scope: 'org:write',
      resource: 'organization',
      integration: true,
      summary:
        "An integration's token saves its installation in a workspace, connecting the workspace to the organization (sealed at rest)",
      body: z.strictObject({ installation: installationRecord }),
      response: null,
      errors: [409],
      handler: async ({ integration, params, target: { access }, body }) => {
        const key = keyOf(integration, access.organization.id, params.workspace);
        await saveInstallation(knex, box(), key, body.installation);
        return undefined;
      },
    }),
    route({
      method: 'delete',
      path,
      scope: 'org:write',
      resource: 'organization',
      integration: true,
      summary: "An integration's token forgets its installation in a workspace (uninstalled)",
      response: null,
      handler: async ({ integration, params, target: { access } }) => {
        const key = keyOf(integration, access.organization.id, params.workspace);
        await deleteInstallation(knex, key);
        return undefined;
      },
    }),
  ];
}
