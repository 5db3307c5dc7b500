import { z } from 'zod';
import { recordAudit } from '../../audit';
import { BadRequestError, NotFoundError } from '../../errors';
import { PluginSettingsInvalid, type PluginAdmin, type PluginSettingsChange } from '../../plugins';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';

const changeBody = z.strictObject({
  /** null: follow the level above. */
  enabled: z.boolean().nullable().optional(),
  /** Fields to set; null clears a field (the level above applies); `{ "set": true }` keeps a secret. */
  config: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Plugins per organization and project: the catalogue of loaded plugins (with whether each is on,
 * its config in effect with secrets masked, and failure counts), and turning a plugin on or off and
 * overriding its config for an organization or one project. Changes are audit-logged (field names,
 * never values).
 */
export function pluginRoutes({ knex, plugins }: ApiDependencies): ApiRoute[] {
  function admin(): PluginAdmin {
    if (!plugins) throw new NotFoundError('No plugins are loaded in this process', 'plugins_unavailable');
    return plugins;
  }

  function known(pluginId: string): void {
    if (!admin().has(pluginId)) throw new NotFoundError(`Plugin ${pluginId} not found`, 'plugin_not_found');
  }

  async function apply(
    scope: { organizationId: number; projectId: number | null; pluginId: string },
    change: PluginSettingsChange,
    audit: (trx: Parameters<typeof recordAudit>[0], fields: string[]) => Promise<void>,
  ): Promise<void> {
    try {
      await knex.transaction(async (trx) => {
        const fields = await admin().change(trx, scope, change);
        await audit(trx, fields);
      });
    } catch (error) {
      if (error instanceof PluginSettingsInvalid)
        throw new BadRequestError(`Invalid plugin config: ${error.message}`, 'invalid_plugin_config');
      throw error;
    }
    admin().changed();
  }

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/plugins/',
      scope: 'org:read',
      resource: 'organization',
      summary:
        'The loaded plugins, as the organization has them (on or off, config with secrets masked, failures)',
      handler: async ({ target: { access } }) => admin().list(access.organization.id),
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/plugins/:pluginId/',
      scope: 'org:read',
      resource: 'organization',
      summary: "One plugin's settings for the organization",
      handler: async ({ target: { access }, params }) => {
        known(params.pluginId);
        return admin().view({
          organizationId: access.organization.id,
          projectId: null,
          pluginId: params.pluginId,
        });
      },
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/plugins/:pluginId/',
      scope: 'org:write',
      resource: 'organization',
      summary: 'Turns a plugin on or off for the organization and overrides its config',
      body: changeBody,
      handler: async ({ ctx, caller, target: { access }, params, body }) => {
        known(params.pluginId);
        const scope = { organizationId: access.organization.id, projectId: null, pluginId: params.pluginId };
        await apply(scope, body, (trx, fields) =>
          recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'org.edit',
            target: { type: 'plugin', id: params.pluginId },
            data: { plugin: params.pluginId, enabled: body.enabled, fields },
          }),
        );
        return admin().view(scope);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/plugins/:pluginId/',
      scope: 'project:read',
      resource: 'project',
      summary: "One plugin's settings for the project",
      handler: async ({ target: { project }, params }) => {
        known(params.pluginId);
        return admin().view({
          organizationId: project.organization_id,
          projectId: project.id,
          pluginId: params.pluginId,
        });
      },
    }),
    route({
      method: 'put',
      path: '/api/0/projects/:organization/:project/plugins/:pluginId/',
      scope: 'project:write',
      resource: 'project',
      summary: 'Turns a plugin on or off for the project and overrides its config',
      body: changeBody,
      handler: async ({ ctx, caller, target: { project }, params, body }) => {
        known(params.pluginId);
        const scope = {
          organizationId: project.organization_id,
          projectId: project.id,
          pluginId: params.pluginId,
        };
        await apply(scope, body, (trx, fields) =>
          recordAudit(trx, {
            organizationId: project.organization_id,
            actor: auditActor(ctx, caller),
            event: 'project.edit',
            target: { type: 'project', id: project.id },
            data: { plugin: params.pluginId, enabled: body.enabled, fields },
          }),
        );
        return admin().view(scope);
      },
    }),
  ];
}
