import { z } from 'zod';
import { recordAudit } from '../../audit';
import { BadRequestError, NotFoundError } from '../../errors';
import {
  FAILURE_KINDS,
  PluginSettingsInvalid,
  type FailureKind,
  type PluginAdmin,
  type PluginSettingsChange,
} from '../../plugins';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';

/** A plugin as one level (organization or project) has it; secrets show as `{ "set": true }`. */
const pluginViewSchema = z
  .strictObject({
    id: z.string(),
    version: z.string(),
    description: z.string().nullable(),
    source: z.string(),
    builtin: z.boolean(),
    hooks: z.array(z.string()),
    hasAlertAction: z.boolean(),
    configFields: z.array(
      z.strictObject({ name: z.string(), secret: z.boolean(), installationOnly: z.boolean() }),
    ),
    configSchema: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        'The config as JSON Schema: secret fields are `writeOnly` (shown as `{ "set": true }` when set), installation-only ones `readOnly`; null when the plugin has none',
      ),
    actionConfigSchema: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        "An alert rule action's `config` for this plugin as JSON Schema; null without an alert action",
      ),
    failures: z.strictObject(
      Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, z.number().int()])) as Record<
        FailureKind,
        z.ZodNumber
      >,
    ),
    enabled: z
      .boolean()
      .describe('Whether it runs here (for an organization: in projects without a setting)'),
    enabledSetting: z.boolean().nullable().describe("This level's own setting; null follows the level above"),
    config: z.record(z.string(), z.unknown()).describe('The config in effect here, secrets masked'),
    overrides: z.record(z.string(), z.unknown()).describe('The fields set at this level, secrets masked'),
  })
  .meta({ id: 'Plugin' });

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

  /** One plugin as a level has it; one that went away between the check and now is a 404 too. */
  async function view(scope: Parameters<PluginAdmin['view']>[0]) {
    const found = await admin().view(scope);
    if (!found) throw new NotFoundError(`Plugin ${scope.pluginId} not found`, 'plugin_not_found');
    return found;
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
      response: z.array(pluginViewSchema),
      handler: async ({ target: { access } }) => admin().list(access.organization.id),
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/plugins/:pluginId/',
      scope: 'org:read',
      resource: 'organization',
      summary: "One plugin's settings for the organization",
      response: pluginViewSchema,
      handler: async ({ target: { access }, params }) => {
        known(params.pluginId);
        return view({
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
      response: pluginViewSchema,
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
        return view(scope);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/plugins/:pluginId/',
      scope: 'project:read',
      resource: 'project',
      summary: "One plugin's settings for the project",
      response: pluginViewSchema,
      handler: async ({ target: { project }, params }) => {
        known(params.pluginId);
        return view({
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
      response: pluginViewSchema,
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
        return view(scope);
      },
    }),
  ];
}
