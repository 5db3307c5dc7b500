/**
 * Issue alert rules, evaluated purely: given a rule, one change from the outbox, the issue as it is
 * now and when the rule last fired for that issue, decide whether the rule fires. No database here.
 */

export const TRIGGER_IDS = ['issue.created', 'issue.regressed', 'issue.state_changed'] as const;
export type TriggerId = (typeof TRIGGER_IDS)[number];

/** When a rule is considered: a kind of change to an issue. */
export type Trigger =
  | { id: 'issue.created' }
  | { id: 'issue.regressed' }
  /** `to`: only changes into this status (any when absent). */
  | { id: 'issue.state_changed'; to?: string };

export const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** What the issue must look like for the rule to fire. */
export type Filter =
  | { id: 'level'; match: 'eq' | 'gte' | 'lte'; level: Level }
  /** The issue's age (since first seen): older or newer than `minutes`. */
  | { id: 'issue_age'; comparison: 'older' | 'newer'; minutes: number }
  /** The issue has been seen at least `value` times. */
  | { id: 'times_seen'; value: number };

export type Match = 'all' | 'any' | 'none';

export interface RuleAction {
  /** The id of the plugin providing the action. */
  plugin: string;
  config: Record<string, unknown>;
}

export interface AlertRule {
  id: number;
  projectId: number;
  name: string;
  /** How triggers combine (Sentry's `actionMatch`; a change has one kind, so `all` needs one trigger). */
  actionMatch: 'all' | 'any';
  /** How filters combine (Sentry's `filterMatch`). */
  filterMatch: Match;
  triggers: Trigger[];
  filters: Filter[];
  actions: RuleAction[];
  /** The action interval: at most one fire per issue in this many minutes. */
  frequencyMinutes: number;
  enabled: boolean;
}

/** The parts of an outbox change a rule looks at. */
export interface ChangeFacts {
  kind: string;
  data: Record<string, unknown>;
}

/** The issue as it is when the change is evaluated. */
export interface IssueFacts {
  level: string;
  firstSeen: Date;
  timesSeen: number;
}

export type Verdict =
  | { fire: true }
  | { fire: false; reason: 'disabled' | 'no_trigger' | 'filtered' | 'interval' | 'no_actions' };

const TRIGGER_OF_KIND: Record<string, TriggerId | undefined> = {
  created: 'issue.created',
  regressed: 'issue.regressed',
  state_changed: 'issue.state_changed',
};

export function triggerMatches(trigger: Trigger, change: ChangeFacts): boolean {
  if (TRIGGER_OF_KIND[change.kind] !== trigger.id) return false;
  if (trigger.id === 'issue.state_changed' && trigger.to !== undefined) {
    const to = change.data.to as { status?: unknown } | undefined;
    return to?.status === trigger.to;
  }
  return true;
}

function levelRank(level: string): number {
  return (LEVELS as readonly string[]).indexOf(level);
}

export function filterPasses(filter: Filter, issue: IssueFacts, now: Date): boolean {
  switch (filter.id) {
    case 'level': {
      if (filter.match === 'eq') return issue.level === filter.level;
      const rank = levelRank(issue.level);
      if (rank < 0) return false;
      return filter.match === 'gte' ? rank >= levelRank(filter.level) : rank <= levelRank(filter.level);
    }
    case 'issue_age': {
      const ageMs = now.getTime() - issue.firstSeen.getTime();
      const limitMs = filter.minutes * 60_000;
      return filter.comparison === 'older' ? ageMs >= limitMs : ageMs < limitMs;
    }
    case 'times_seen':
      return issue.timesSeen >= filter.value;
  }
}

function combine(match: Match, results: boolean[]): boolean {
  if (match === 'all') return results.every(Boolean);
  if (match === 'any') return results.some(Boolean);
  return !results.some(Boolean);
}

/**
 * Whether `rule` fires for `change` of `issue` at `now`, given when it last fired for that issue.
 * Triggers combine by `actionMatch`, filters by `filterMatch` (no filters: pass); a fire inside the
 * action interval (`now - lastFiredAt < frequencyMinutes`) is suppressed.
 */
export function evaluateRule(
  rule: AlertRule,
  change: ChangeFacts,
  issue: IssueFacts,
  lastFiredAt: Date | undefined,
  now: Date,
): Verdict {
  if (!rule.enabled) return { fire: false, reason: 'disabled' };
  if (rule.actions.length === 0) return { fire: false, reason: 'no_actions' };
  const triggered = rule.triggers.map((t) => triggerMatches(t, change));
  if (triggered.length === 0 || !combine(rule.actionMatch, triggered))
    return { fire: false, reason: 'no_trigger' };
  if (
    rule.filters.length > 0 &&
    !combine(
      rule.filterMatch,
      rule.filters.map((f) => filterPasses(f, issue, now)),
    )
  )
    return { fire: false, reason: 'filtered' };
  if (lastFiredAt && now.getTime() - lastFiredAt.getTime() < rule.frequencyMinutes * 60_000)
    return { fire: false, reason: 'interval' };
  return { fire: true };
}
