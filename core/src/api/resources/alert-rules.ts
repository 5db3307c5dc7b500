import { z } from 'zod';
import {
  actionSchema,
  createRule,
  deleteRule,
  digestSchema,
  filterSchema,
  findProjectRule,
  listProjectRules,
  listRuleFires,
  ruleFromRow,
  ruleTerms,
  updateRule,
  triggerSchema,
  type AlertRule,
  type AlertRuleRow,
} from '../../alerts';
import { BadRequestError } from '../../errors';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { pageParams, pageRequest, paginate } from '../pagination';
import { jsonColumn } from '../../db';

const MAX_FREQUENCY_MINUTES = 30 * 24 * 60;

const ruleFields = {
  name: z.string().trim().min(1).max(256),
  actionMatch: z.enum(['all', 'any']),
  filterMatch: z.enum(['all', 'any', 'none']),
  conditions: z.array(triggerSchema).min(1).max(20),
  filters: z.array(filterSchema).max(20),
  actions: z.array(actionSchema).min(1).max(20),
  frequency: z.number().int().min(0).max(MAX_FREQUENCY_MINUTES),
  status: z.enum(['active', 'disabled']),
  digest: digestSchema.nullable(),
};

const createBody = z.strictObject({
  ...ruleFields,
  actionMatch: ruleFields.actionMatch.default('any'),
  filterMatch: ruleFields.filterMatch.default('all'),
  filters: ruleFields.filters.default([]),
  frequency: ruleFields.frequency.default(30),
  status: ruleFields.status.default('active'),
  digest: ruleFields.digest.default(null),
});

const updateBody = z.strictObject({
  name: ruleFields.name.optional(),
  actionMatch: ruleFields.actionMatch.optional(),
  filterMatch: ruleFields.filterMatch.optional(),
  conditions: ruleFields.conditions.optional(),
  filters: ruleFields.filters.optional(),
  actions: ruleFields.actions.optional(),
  frequency: ruleFields.frequency.optional(),
  status: ruleFields.status.optional(),
  digest: ruleFields.digest.optional(),
});

/** An issue alert rule, in the fields its create and update bodies use. */
const ruleSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    actionMatch: ruleFields.actionMatch,
    filterMatch: ruleFields.filterMatch,
    conditions: z.array(triggerSchema),
    filters: z.array(filterSchema),
    actions: z.array(actionSchema),
    frequency: z.number().int(),
    status: ruleFields.status,
    digest: digestSchema.nullable(),
    projects: z.array(z.string()),
    dateCreated: z.iso.datetime(),
    dateModified: z.iso.datetime(),
  })
  .meta({ id: 'AlertRule' });

/** One fire of a rule: what triggered it and what its actions did. */
const fireSchema = z
  .strictObject({
    id: z.string(),
    rule: z.string(),
    issue: z.string(),
    change: z.string().nullable(),
    trigger: z.string().nullable(),
    reason: z.string().nullable(),
    digest: z.string().nullable(),
    dateFired: z.iso.datetime(),
    actions: z.unknown(),
  })
  .meta({ id: 'AlertFire' });

const termSchema = z.strictObject({
  id: z.string().describe('The `id` a rule names it by'),
  label: z.string().describe('In words'),
  schema: z.record(z.string(), z.unknown()).describe('Its object as JSON Schema, `id` a `const`'),
});

/** What a rule may be made of here: triggers, filters, and the plugins' alert actions. */
const configurationSchema = z
  .strictObject({
    conditions: z.array(termSchema),
    filters: z.array(termSchema),
    actions: z.array(
      z.strictObject({
        plugin: z.string(),
        description: z.string().nullable(),
        enabled: z.boolean().describe('On for the project; an action of a plugin that is off is refused'),
        configSchema: z
          .record(z.string(), z.unknown())
          .nullable()
          .describe("The action's `config` as JSON Schema; null: the plugin declares none"),
      }),
    ),
  })
  .meta({ id: 'AlertRuleConfiguration' });

function serializeRule(rule: AlertRule, row: AlertRuleRow, projectSlug: string): z.input<typeof ruleSchema> {
  return {
    id: String(rule.id),
    name: rule.name,
    actionMatch: rule.actionMatch,
    filterMatch: rule.filterMatch,
    // Stored only after passing triggerSchema; the domain's type is looser (`to?: string`).
    conditions: rule.triggers as z.input<typeof triggerSchema>[],
    filters: rule.filters,
    actions: rule.actions,
    frequency: rule.frequencyMinutes,
    status: rule.enabled ? 'active' : 'disabled',
    digest: rule.digestMinutes ? { minutes: rule.digestMinutes } : null,
    projects: [projectSlug],
    dateCreated: new Date(row.created_at).toISOString(),
    dateModified: new Date(row.updated_at).toISOString(),
  };
}

/**
 * A project's issue alert rules (Sentry's `/rules/`): list, create, read, change, delete, and the
 * history of their fires. Every action is checked through the alert action port (plugin known,
 * enabled for the project, offering an alert action, config valid); a refused one is answered with a
 * 400 that names it and says why.
 */
export function alertRuleRoutes({ knex, config, alertActions, plugins }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;

  async function checkActions(
    projectId: number,
    actions: { plugin: string; config: Record<string, unknown> }[] | undefined,
  ): Promise<void> {
    if (!actions) return;
    const problems: string[] = [];
    for (const [i, action] of actions.entries()) {
      const problem = alertActions
        ? await alertActions.check(action.plugin, projectId, action.config)
        : 'unknown plugin';
      if (problem !== undefined) problems.push(`actions[${i}] (plugin "${action.plugin}"): ${problem}`);
    }
    if (problems.length > 0) throw new BadRequestError(problems.join('; '), 'invalid_action');
  }

  return [
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/rules/',
      scope: 'project:read',
      resource: 'project',
      summary: "A project's issue alert rules",
      query: z.object(pageParams),
      response: z.array(ruleSchema),
      handler: async ({ ctx, target: { project }, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listProjectRules(knex, project.id, window),
        );
        return rows.map((row) => serializeRule(ruleFromRow(row), row, project.slug));
      },
    }),
    // Before `rules/:ruleId/`, which would otherwise take `configuration` for a rule's id.
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/rules/configuration/',
      scope: 'project:read',
      resource: 'project',
      summary:
        "What a project's alert rules may use: each trigger and filter with its JSON Schema, and the plugins' alert actions with their config's",
      response: configurationSchema,
      handler: async ({ target: { project } }) => ({
        ...ruleTerms(),
        actions: (await plugins?.alertActions(project.id)) ?? [],
      }),
    }),
    route({
      method: 'post',
      path: '/api/0/projects/:organization/:project/rules/',
      scope: 'project:write',
      resource: 'project',
      summary: 'Creates an issue alert rule',
      body: createBody,
      status: 201,
      response: ruleSchema,
      handler: async ({ target: { project }, body }) => {
        await checkActions(project.id, body.actions);
        const row = await createRule(knex, project.id, body);
        return serializeRule(ruleFromRow(row), row, project.slug);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/rules/:ruleId/',
      scope: 'project:read',
      resource: 'project',
      summary: 'One issue alert rule',
      response: ruleSchema,
      handler: async ({ target: { project }, params }) => {
        const row = await findProjectRule(knex, project.id, params.ruleId);
        return serializeRule(ruleFromRow(row), row, project.slug);
      },
    }),
    route({
      method: 'put',
      path: '/api/0/projects/:organization/:project/rules/:ruleId/',
      scope: 'project:write',
      resource: 'project',
      summary: 'Changes an issue alert rule',
      body: updateBody,
      response: ruleSchema,
      handler: async ({ target: { project }, params, body }) => {
        const current = await findProjectRule(knex, project.id, params.ruleId);
        // An active rule must be able to act: its actions are checked whenever the rule is active
        // after this change (also when `actions` is not in the body: a plugin may have been turned
        // off for the project since they were saved), and new actions always.
        const active = body.status === undefined ? ruleFromRow(current).enabled : body.status === 'active';
        const actions = body.actions ?? (active ? ruleFromRow(current).actions : undefined);
        await checkActions(project.id, actions);
        const row = await updateRule(knex, current, body);
        return serializeRule(ruleFromRow(row), row, project.slug);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/projects/:organization/:project/rules/:ruleId/',
      scope: 'project:write',
      resource: 'project',
      summary: 'Deletes an issue alert rule and its history',
      response: null,
      handler: async ({ target: { project }, params }) => {
        const current = await findProjectRule(knex, project.id, params.ruleId);
        await deleteRule(knex, current.id);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/rules/:ruleId/fires/',
      scope: 'project:read',
      resource: 'project',
      summary: "An issue alert rule's fires, newest first",
      query: z.object(pageParams),
      response: z.array(fireSchema),
      handler: async ({ ctx, target: { project }, params, query }) => {
        const rule = await findProjectRule(knex, project.id, params.ruleId);
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listRuleFires(knex, rule.id, window),
        );
        return rows.map((row) => ({
          id: String(row.id),
          rule: String(rule.id),
          issue: String(row.issue_id),
          change: row.change_id === null ? null : String(row.change_id),
          trigger: row.trigger,
          reason: row.reason,
          digest: row.digest_id === null ? null : String(row.digest_id),
          dateFired: new Date(row.fired_at).toISOString(),
          actions: jsonColumn<unknown>(row.actions),
        }));
      },
    }),
  ];
}
