import { z } from 'zod';
import { readIntegrationCursor, saveIntegrationCursor } from '../../integrations';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';

const cursorSchema = z
  .strictObject({
    /** The last change stream event id the integration finished with; null before its first. */
    cursor: z.string().nullable(),
  })
  .meta({ id: 'IntegrationCursor' });

/**
 * An integration's own place in the organization's change stream, kept in Faultline so that it
 * resumes from it after a restart wherever it runs (the Slack app's card sync). Only the
 * integration's token reads or moves its cursor; `org:read` suffices because it is the
 * integration's bookkeeping, not the organization's data.
 */
export function integrationCursorRoutes({ knex }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/integration-cursor/',
      scope: 'org:read',
      resource: 'organization',
      integration: true,
      summary: "An integration's token reads where it is in the organization's change stream",
      response: cursorSchema,
      handler: async ({ integration, target: { access } }) => ({
        cursor: await readIntegrationCursor(knex, access.organization.id, integration),
      }),
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/integration-cursor/',
      scope: 'org:read',
      resource: 'organization',
      integration: true,
      summary:
        "An integration's token saves where it is in the organization's change stream (a stream event id)",
      body: z.strictObject({ cursor: z.string().max(64) }),
      response: null,
      handler: async ({ integration, target: { access }, body }) => {
        await saveIntegrationCursor(knex, access.organization.id, integration, body.cursor);
        return undefined;
      },
    }),
  ];
}
