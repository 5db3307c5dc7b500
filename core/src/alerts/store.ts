import type { Knex } from 'knex';
import type { AlertRule, Filter, Match, RuleAction, Trigger } from './rules';
import { jsonColumn } from '../db';

export interface AlertRuleRow {
  id: number;
  project_id: number;
  name: string;
  action_match: string;
  filter_match: string;
  triggers: unknown;
  filters: unknown;
  actions: unknown;
  frequency_minutes: number;
  digest_minutes: number | null;
  enabled: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

export function ruleFromRow(row: AlertRuleRow): AlertRule {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    actionMatch: row.action_match === 'all' ? 'all' : 'any',
    filterMatch: row.filter_match as Match,
    triggers: jsonColumn<Trigger[]>(row.triggers),
    filters: jsonColumn<Filter[]>(row.filters),
    actions: jsonColumn<RuleAction[]>(row.actions),
    frequencyMinutes: row.frequency_minutes,
    digestMinutes: row.digest_minutes ?? null,
    enabled: row.enabled,
  };
}

/** The enabled rules of these projects. */
export async function enabledRules(knex: Knex, projectIds: number[]): Promise<AlertRule[]> {
  if (projectIds.length === 0) return [];
  const rows: AlertRuleRow[] = await knex('alert_rules')
    .whereIn('project_id', projectIds)
    .andWhere('enabled', true)
    .orderBy('id')
    .select('*');
  return rows.map(ruleFromRow);
}
