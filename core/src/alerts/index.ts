/**
 * Issue alerts: rules per project, evaluated against the change outbox, with a history of fires.
 */
export {
  evaluateRule,
  TRIGGER_IDS,
  LEVELS,
  type AlertRule,
  type Trigger,
  type Filter,
  type RuleAction,
  type Verdict,
} from './rules';
export { triggerSchema, filterSchema, actionSchema } from './schema';
export { ruleFromRow, enabledRules, type AlertRuleRow } from './store';
export { AlertEvaluator, type AlertEvaluatorOptions } from './evaluator';
