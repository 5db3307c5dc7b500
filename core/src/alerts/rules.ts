/**
 * Issue alert rules, evaluated purely: given a rule and the facts gathered for one issue (the change
 * from the outbox or the issue's event counts over recent windows, the issue as it is now, the event
 * that caused it) and when the rule last fired for that issue, decide whether the rule fires. No
 * database here.
 */
import { FREQUENCY_TRIGGER_IDS, type FrequencyTriggerId } from './types';

export { FREQUENCY_TRIGGER_IDS, type FrequencyTriggerId };

/** Triggers evaluated against changes in the outbox, as they are committed. */
export const CHANGE_TRIGGER_IDS = ['issue.created', 'issue.regressed', 'issue.state_changed'] as const;
export const TRIGGER_IDS = [...CHANGE_TRIGGER_IDS, ...FREQUENCY_TRIGGER_IDS] as const;
export type TriggerId = (typeof TRIGGER_IDS)[number];

/** The windows a frequency trigger may count over, in minutes (as Sentry offers them). */
export const FREQUENCY_INTERVALS = [1, 5, 15, 60, 1440] as const;
export type FrequencyInterval = (typeof FREQUENCY_INTERVALS)[number];
/** Counters older than the longest window (plus the current minute) are of no use. */
export const LONGEST_INTERVAL_MINUTES = 1440;

/** When a rule is considered. */
export type Trigger =
  | { id: 'issue.created' }
  | { id: 'issue.regressed' }
  /** `to`: only changes into this status (any when absent). */
  | { id: 'issue.state_changed'; to?: string }
  /** More than `value` events of the issue in the last `interval` minutes. */
  | { id: 'event_frequency'; value: number; interval: FrequencyInterval }
  /** More than `value` distinct users saw the issue in the last `interval` minutes. */
  | { id: 'event_unique_user_frequency'; value: number; interval: FrequencyInterval };

export type FrequencyTrigger = Extract<Trigger, { id: FrequencyTriggerId }>;

export const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

export const TAG_MATCHES = ['eq', 'ne', 'contains', 'starts_with', 'is_set', 'not_set'] as const;
export type TagMatch = (typeof TAG_MATCHES)[number];

/** What the issue, or the event that caused the change, must look like for the rule to fire. */
export type Filter =
  | { id: 'level'; match: 'eq' | 'gte' | 'lte'; level: Level }
  /** The issue's age (since first seen): older or newer than `minutes`. */
  | { id: 'issue_age'; comparison: 'older' | 'newer'; minutes: number }
  /** The issue has been seen at least `value` times. */
  | { id: 'times_seen'; value: number }
  /** The event's environment is `value`. */
  | { id: 'environment'; value: string }
  /** The event's release is `value`. */
  | { id: 'release'; value: string }
  /** A tag of the event (key and value compared without regard to case, as Sentry does). */
  | { id: 'tag'; key: string; match: TagMatch; value?: string }
  /** The issue matches a search in the API's issue search syntax (e.g. `level:error checkout`). */
  | { id: 'query'; query: string };

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
  /** Collect fires for this many minutes (from the first) and notify once with all their issues. */
  digestMinutes: number | null;
  enabled: boolean;
}

/** The parts of an outbox change a rule looks at. */
export interface ChangeFacts {
  kind: string;
  data: Record<string, unknown>;
}

/** The issue as it is when the rule is evaluated. */
export interface IssueFacts {
  level: string;
  firstSeen: Date;
  timesSeen: number;
}

/** The event the filters look at: the one that caused the change, or else the issue's latest. */
export interface EventFacts {
  environment: string | null;
  release: string | null;
  tags: [string, string][];
}

/** An issue's events and distinct users over the last `interval` minutes. */
export type WindowCounts = Partial<Record<FrequencyInterval, { events: number; users: number }>>;

/** Everything a rule may look at for one issue. */
export interface RuleFacts {
  /** Present when evaluating a change from the outbox. */
  change?: ChangeFacts;
  /** Present when evaluating frequency triggers (missing windows count as zero). */
  counts?: WindowCounts;
  issue: IssueFacts;
  /** Undefined when no event is known: event filters then see no environment, release or tags. */
  event?: EventFacts;
  /** The `query` filters' searches the issue matches now (see facts.ts); missing: none. */
  matchedQueries?: ReadonlySet<string>;
}

/** What fired, as plugins are told (`AlertedIssue.trigger` and `reason`). */
export interface Firing {
  trigger: TriggerId;
  /** One line, e.g. `New issue` or `Seen 120 times in 5 minutes`. */
  reason: string;
}

export type Verdict =
  | ({ fire: true } & Firing)
  | { fire: false; reason: 'disabled' | 'no_trigger' | 'filtered' | 'interval' | 'no_actions' };

const TRIGGER_OF_KIND: Record<string, TriggerId | undefined> = {
  created: 'issue.created',
  regressed: 'issue.regressed',
  state_changed: 'issue.state_changed',
};

/** Whether a change trigger can match changes of this kind (others are skipped without reading anything). */
export function isChangeTriggerKind(kind: string): boolean {
  return TRIGGER_OF_KIND[kind] !== undefined;
}

export function isFrequencyTrigger(trigger: Trigger): trigger is FrequencyTrigger {
  return (FREQUENCY_TRIGGER_IDS as readonly string[]).includes(trigger.id);
}

export function intervalLabel(minutes: FrequencyInterval): string {
  if (minutes === 1440) return '1 day';
  if (minutes === 60) return '1 hour';
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** Whether `trigger` holds for the facts; the reason line when it does. */
export function triggerMatches(trigger: Trigger, facts: RuleFacts): Firing | undefined {
  if (isFrequencyTrigger(trigger)) {
    const counts = facts.counts?.[trigger.interval] ?? { events: 0, users: 0 };
    const window = intervalLabel(trigger.interval);
    if (trigger.id === 'event_frequency')
      return counts.events > trigger.value
        ? { trigger: trigger.id, reason: `Seen ${counts.events} times in ${window}` }
        : undefined;
    return counts.users > trigger.value
      ? { trigger: trigger.id, reason: `${counts.users} users affected in ${window}` }
      : undefined;
  }
  const change = facts.change;
  if (!change || TRIGGER_OF_KIND[change.kind] !== trigger.id) return undefined;
  if (trigger.id === 'issue.state_changed') {
    const to = (change.data.to as { status?: unknown } | undefined)?.status;
    if (trigger.to !== undefined && to !== trigger.to) return undefined;
    return { trigger: trigger.id, reason: typeof to === 'string' ? `Marked ${to}` : 'Status changed' };
  }
  return { trigger: trigger.id, reason: trigger.id === 'issue.created' ? 'New issue' : 'Regressed' };
}

function levelRank(level: string): number {
  return (LEVELS as readonly string[]).indexOf(level);
}

export function tagMatches(
  filter: Extract<Filter, { id: 'tag' }>,
  tags: readonly [string, string][],
): boolean {
  const key = filter.key.toLowerCase();
  const values = tags.filter(([k]) => k.toLowerCase() === key).map(([, v]) => v.toLowerCase());
  const wanted = (filter.value ?? '').toLowerCase();
  switch (filter.match) {
    case 'is_set':
      return values.length > 0;
    case 'not_set':
      return values.length === 0;
    case 'eq':
      return values.includes(wanted);
    case 'ne':
      return !values.includes(wanted);
    case 'contains':
      return values.some((v) => v.includes(wanted));
    case 'starts_with':
      return values.some((v) => v.startsWith(wanted));
  }
}

export function filterPasses(filter: Filter, facts: RuleFacts, now: Date): boolean {
  const { issue, event } = facts;
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
    case 'environment':
      return event?.environment === filter.value;
    case 'release':
      return event?.release === filter.value;
    case 'tag':
      return tagMatches(filter, event?.tags ?? []);
    case 'query':
      return facts.matchedQueries?.has(filter.query) ?? false;
  }
}

function combine(match: Match, results: boolean[]): boolean {
  if (match === 'all') return results.every(Boolean);
  if (match === 'any') return results.some(Boolean);
  return !results.some(Boolean);
}

/**
 * Whether `rule` fires for the facts of one issue at `now`, given when it last fired for that issue.
 * Triggers combine by `actionMatch` (change and frequency triggers are evaluated at different times,
 * so `all` over both kinds never fires), filters by `filterMatch` (no filters: pass); a fire inside
 * the action interval (`now - lastFiredAt < frequencyMinutes`) is suppressed.
 */
export function evaluateRule(
  rule: AlertRule,
  facts: RuleFacts,
  lastFiredAt: Date | undefined,
  now: Date,
): Verdict {
  if (!rule.enabled) return { fire: false, reason: 'disabled' };
  if (rule.actions.length === 0) return { fire: false, reason: 'no_actions' };
  const firings = rule.triggers.map((t) => triggerMatches(t, facts));
  const first = firings.find((f) => f !== undefined);
  if (
    !first ||
    !combine(
      rule.actionMatch,
      firings.map((f) => f !== undefined),
    )
  )
    return { fire: false, reason: 'no_trigger' };
  if (
    rule.filters.length > 0 &&
    !combine(
      rule.filterMatch,
      rule.filters.map((f) => filterPasses(f, facts, now)),
    )
  )
    return { fire: false, reason: 'filtered' };
  if (lastFiredAt && now.getTime() - lastFiredAt.getTime() < rule.frequencyMinutes * 60_000)
    return { fire: false, reason: 'interval' };
  return { fire: true, ...first };
}

/** The frequency triggers of a rule (evaluated by the scheduled job, not per change). */
export function frequencyTriggers(rule: AlertRule): FrequencyTrigger[] {
  return rule.triggers.filter(isFrequencyTrigger);
}

/**
 * The first minute counted in a window of `interval` minutes ending at `now`: counters are kept per
 * minute, so the window is the last `interval` whole minutes plus the current, partial one.
 */
export function windowStart(now: Date, interval: number): Date {
  const minute = Math.floor(now.getTime() / 60_000) * 60_000;
  return new Date(minute - interval * 60_000);
}
