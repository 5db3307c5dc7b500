import type { Knex } from 'knex';
import type { z } from 'zod';
import { NotFoundError } from '../errors';
import type { actionSchema, digestSchema, filterSchema, triggerSchema } from './schema';
import type { AlertRuleRow } from './store';

/**
 * A project's alert rules as people manage them (list, create, change, delete) and the history of
 * their fires. What is stored has passed the schemas in `schema.ts`; which actions a rule may name is
 * the caller's check (it needs the plugin host).
 */

/** The fields of a rule a person sets; absent fields are left as they are on a change. */
export interface RuleFields {
  name?: string;
  actionMatch?: 'all' | 'any';
  filterMatch?: 'all' | 'any' | 'none';
  conditions?: z.output<typeof triggerSchema>[];
  filters?: z.output<typeof filterSchema>[];
  actions?: z.output<typeof actionSchema>[];
  frequency?: number;
  status?: 'active' | 'disabled';
  digest?: z.output<typeof digestSchema> | null;
}

export interface FireRow {
  id: string | number;
  issue_id: number;
  change_id: string | number | null;
  trigger: string | null;
  reason: string | null;
  digest_id: string | number | null;
  fired_at: Date | string;
  actions: unknown;
}

function columnsOf(fields: RuleFields): Record<string, unknown> {
  return {
    ...(fields.name === undefined ? {} : { name: fields.name }),
    ...(fields.actionMatch === undefined ? {} : { action_match: fields.actionMatch }),
    ...(fields.filterMatch === undefined ? {} : { filter_match: fields.filterMatch }),
    ...(fields.conditions === undefined ? {} : { triggers: JSON.stringify(fields.conditions) }),
    ...(fields.filters === undefined ? {} : { filters: JSON.stringify(fields.filters) }),
    ...(fields.actions === undefined ? {} : { actions: JSON.stringify(fields.actions) }),
    ...(fields.frequency === undefined ? {} : { frequency_minutes: fields.frequency }),
    ...(fields.status === undefined ? {} : { enabled: fields.status === 'active' }),
    ...(fields.digest === undefined ? {} : { digest_minutes: fields.digest?.minutes ?? null }),
  };
}

export function listProjectRules(
  knex: Knex,
  projectId: number,
  window: { limit: number; offset: number },
): Promise<AlertRuleRow[]> {
  return knex<AlertRuleRow>('alert_rules')
    .where('project_id', projectId)
    .orderBy('id')
    .limit(window.limit)
    .offset(window.offset)
    .select('*');
}

/** The rule `ruleId` of the project; not found for anything else (another project's rule, not a number). */
export async function findProjectRule(knex: Knex, projectId: number, ruleId: string): Promise<AlertRuleRow> {
  const row: AlertRuleRow | undefined = /^\d{1,9}$/.test(ruleId)
    ? await knex('alert_rules')
        .where({ id: Number(ruleId), project_id: projectId })
        .first()
    : undefined;
  if (!row) throw new NotFoundError(`Alert rule ${ruleId} not found`, 'rule_not_found');
  return row;
}

export async function createRule(knex: Knex, projectId: number, fields: RuleFields): Promise<AlertRuleRow> {
  const [row] = await knex<AlertRuleRow>('alert_rules')
    .insert({ project_id: projectId, ...columnsOf(fields) })
    .returning('*');
  return row;
}

export async function updateRule(
  knex: Knex,
  current: AlertRuleRow,
  fields: RuleFields,
): Promise<AlertRuleRow> {
  const patch = columnsOf(fields);
  if (Object.keys(patch).length === 0) return current;
  const [row] = await knex<AlertRuleRow>('alert_rules')
    .where({ id: current.id })
    .update({ ...patch, updated_at: knex.fn.now() })
    .returning('*');
  return row;
}

/** Deletes the rule; its fires go with it (foreign key). */
export async function deleteRule(knex: Knex, ruleId: number): Promise<void> {
  await knex('alert_rules').where({ id: ruleId }).delete();
}

/** A rule's fires, newest first. */
export function listRuleFires(
  knex: Knex,
  ruleId: number,
  window: { limit: number; offset: number },
): Promise<FireRow[]> {
  return knex('alert_fires')
    .where('rule_id', ruleId)
    .orderBy([
      { column: 'fired_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(window.limit)
    .offset(window.offset)
    .select<FireRow[]>(
      'id',
      'issue_id',
      'change_id',
      'trigger',
      'reason',
      'digest_id',
      'fired_at',
      'actions',
    );
}
