import type { Knex } from 'knex';
import type { JobQueue } from '../jobs';
import { issueFactsOf, latestEventFacts, needsEventFacts, queryFactsOf } from './facts';
import { recordFire } from './fires';
import {
  evaluateRule,
  FREQUENCY_TRIGGER_IDS,
  frequencyTriggers,
  LONGEST_INTERVAL_MINUTES,
  windowStart,
  type AlertRule,
  type EventFacts,
  type FrequencyInterval,
  type WindowCounts,
} from './rules';
import { ruleFromRow, type AlertRuleRow } from './store';

export interface FrequencyRound {
  /** Rules with frequency triggers that were evaluated. */
  rules: number;
  /** Fires recorded by this round (a fire another worker recorded first is not counted). */
  fires: number;
  /** Counter rows pruned. */
  pruned: number;
}

/** The enabled rules with at least one frequency trigger. */
async function frequencyRules(knex: Knex): Promise<AlertRule[]> {
  const rows: AlertRuleRow[] = await knex('alert_rules')
    .where('enabled', true)
    .whereRaw(`EXISTS (SELECT 1 FROM jsonb_array_elements(triggers) t WHERE t->>'id' = ANY(?::text[]))`, [
      [...FREQUENCY_TRIGGER_IDS],
    ])
    .orderBy('id')
    .select('*');
  return rows.map(ruleFromRow);
}

/**
 * Each issue's events and distinct users in the windows the project's rules use, for the issues
 * above the smallest threshold of each window (the others cannot fire any trigger).
 */
async function windowCounts(
  knex: Knex,
  projectId: number,
  rules: AlertRule[],
  now: Date,
): Promise<Map<number, WindowCounts>> {
  const counts = new Map<number, WindowCounts>();
  const add = (issueId: number, interval: FrequencyInterval, field: 'events' | 'users', n: number) => {
    const perIssue = counts.get(issueId) ?? {};
    perIssue[interval] = { events: 0, users: 0, ...perIssue[interval], [field]: n };
    counts.set(issueId, perIssue);
  };
  const thresholds = new Map<string, number>();
  for (const trigger of rules.flatMap(frequencyTriggers)) {
    const key = `${trigger.id}:${trigger.interval}`;
    thresholds.set(key, Math.min(thresholds.get(key) ?? Infinity, trigger.value));
  }
  for (const [key, threshold] of thresholds) {
    const [id, minutes] = key.split(':');
    const interval = Number(minutes) as FrequencyInterval;
    const since = windowStart(now, interval).toISOString();
    const { rows } = await knex.raw<{ rows: { issue_id: number; n: number }[] }>(
      id === 'event_frequency'
        ? `SELECT issue_id, sum(events)::int AS n FROM issue_minute_counts
            WHERE project_id = ? AND minute >= ? AND minute <= ?
            GROUP BY issue_id HAVING sum(events) > ?`
        : `SELECT issue_id, count(DISTINCT user_hash)::int AS n FROM issue_minute_users
            WHERE project_id = ? AND minute >= ? AND minute <= ?
            GROUP BY issue_id HAVING count(DISTINCT user_hash) > ?`,
      [projectId, since, now.toISOString(), threshold],
    );
    for (const row of rows) add(row.issue_id, interval, id === 'event_frequency' ? 'events' : 'users', row.n);
  }
  return counts;
}

/**
 * Evaluates the frequency triggers of every enabled rule at `now` (the scheduled job calls it every
 * minute; tests call it directly), records fires and enqueues their actions, then prunes counters
 * older than the longest window. Safe to run in several processes at once: a fire is decided and
 * recorded in a transaction holding the rule's row lock, after re-reading the rule's last fire for
 * the issue, so concurrent rounds serialize per rule and the second sees the first's fire; the fire's
 * unique `(rule, issue, evaluated minute)` backs that up.
 */
export async function evaluateFrequencyRules(
  knex: Knex,
  queue: JobQueue | undefined,
  now: Date,
): Promise<FrequencyRound> {
  const rules = await frequencyRules(knex);
  const round: FrequencyRound = { rules: rules.length, fires: 0, pruned: 0 };
  const byProject = new Map<number, AlertRule[]>();
  for (const rule of rules) byProject.set(rule.projectId, [...(byProject.get(rule.projectId) ?? []), rule]);
  const windowKey = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();

  for (const [projectId, projectRules] of byProject) {
    const counts = await windowCounts(knex, projectId, projectRules, now);
    if (counts.size === 0) continue;
    const issues = await issueFactsOf(knex, [...counts.keys()]);
    const lastFires = await lastFiresOf(knex, projectRules, [...counts.keys()]);
    const withEvents = needsEventFacts(projectRules);
    const queries = await queryFactsOf(knex, projectId, [...counts.keys()], projectRules, now);
    for (const [issueId, issueCounts] of counts) {
      const issue = issues.get(issueId);
      if (!issue) continue;
      let event: EventFacts | undefined;
      if (withEvents) event = await latestEventFacts(knex, issueId);
      const facts = { counts: issueCounts, issue, event, matchedQueries: queries.get(issueId) };
      for (const rule of projectRules) {
        // A cheap check without the lock first: most hot issues are inside their action interval.
        if (!evaluateRule(rule, facts, lastFires.get(`${rule.id}:${issueId}`), now).fire) continue;
        const fired = await knex.transaction(async (trx) => {
          const current = await trx('alert_rules')
            .where({ id: rule.id, enabled: true })
            .forUpdate()
            .first<AlertRuleRow | undefined>('*');
          if (!current) return false; // disabled or deleted meanwhile
          const locked = ruleFromRow(current);
          const last = await trx('alert_fires')
            .where({ rule_id: rule.id, issue_id: issueId })
            .max<{ at: Date | string | null } | undefined>('fired_at as at')
            .first();
          const verdict = evaluateRule(locked, facts, last?.at ? new Date(last.at) : undefined, now);
          if (!verdict.fire) return false;
          return recordFire(trx, queue, {
            rule: locked,
            issueId,
            windowKey,
            firedAt: now,
            firing: { trigger: verdict.trigger, reason: verdict.reason },
          });
        });
        if (fired) round.fires += 1;
      }
    }
  }
  round.pruned = await pruneCounters(knex, now);
  return round;
}

/** When each rule last fired for each of these issues (`rule:issue` → time). */
async function lastFiresOf(knex: Knex, rules: AlertRule[], issueIds: number[]): Promise<Map<string, Date>> {
  const rows: { rule_id: number; issue_id: number; at: Date | string }[] = await knex('alert_fires')
    .whereIn(
      'rule_id',
      rules.map((r) => r.id),
    )
    .whereIn('issue_id', issueIds)
    .groupBy('rule_id', 'issue_id')
    .select('rule_id', 'issue_id', knex.raw('max(fired_at) AS at'));
  return new Map(rows.map((r) => [`${r.rule_id}:${r.issue_id}`, new Date(r.at)]));
}

/** Deletes counter rows no window reaches any more. */
export async function pruneCounters(knex: Knex, now: Date): Promise<number> {
  const before = windowStart(now, LONGEST_INTERVAL_MINUTES).toISOString();
  const { rows } = await knex.raw<{ rows: { n: number }[] }>(
    `WITH counts AS (DELETE FROM issue_minute_counts WHERE minute < ? RETURNING 1),
          users AS (DELETE FROM issue_minute_users WHERE minute < ? RETURNING 1)
     SELECT (SELECT count(*) FROM counts)::int + (SELECT count(*) FROM users)::int AS n`,
    [before, before],
  );
  return rows[0].n;
}
