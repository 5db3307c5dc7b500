/**
 * Issue alerts: rules per project, evaluated against the change outbox and per-minute counters, with
 * a history of fires; actions are carried out by plugins through the `AlertActionPort`.
 */
export {
  evaluateRule,
  TRIGGER_IDS,
  FREQUENCY_INTERVALS,
  LEVELS,
  type AlertRule,
  type Trigger,
  type Filter,
  type RuleAction,
  type RuleFacts,
  type Verdict,
} from './rules';
export { triggerSchema, filterSchema, actionSchema, digestSchema } from './schema';
export { ruleTerms, type RuleTerm } from './vocabulary';
export { ruleFromRow, enabledRules, type AlertRuleRow } from './store';
export {
  createRule,
  deleteRule,
  findProjectRule,
  listProjectRules,
  listRuleFires,
  updateRule,
  type FireRow,
  type RuleFields,
} from './rule-admin';
export { AlertEvaluator, type AlertEvaluatorOptions } from './evaluator';
export type { AlertActionPort } from './actions';
export { ALERT_QUEUES, closeDigest, type ActionJob, type DigestJob } from './fires';
export { evaluateFrequencyRules, pruneCounters, type FrequencyRound } from './frequency';
export { prepareAction, runActionJob } from './notify';
export { startAlertWorkers, type AlertWorkers, type AlertWorkersOptions } from './workers';
