import type { Knex } from 'knex';
import { OutboxReader, type IssueChangeRecord, type RoundWork } from '../changes';
import type { Logger } from '../logging';
import type { JobQueue } from '../jobs';
import { eventFactsOfChange, issueFactsOf, latestEventFacts, needsEventFacts, queryFactsOf } from './facts';
import { recordFire } from './fires';
import {
  CHANGE_TRIGGER_IDS,
  evaluateRule,
  isChangeTriggerKind,
  isFrequencyTrigger,
  type AlertRule,
  type IssueFacts,
} from './rules';
import { enabledRules } from './store';

export interface AlertEvaluatorOptions {
  knex: Knex;
  log: Logger;
  /** Gap between rounds while changes keep coming (default 250 ms). */
  pollMs?: number;
  /** The safety-net poll when no change is announced (default 30 s). */
  idlePollMs?: number;
  /** Changes read per round (default 100). */
  batchSize?: number;
  /** How long a claimed cursor stays with this evaluator without renewal (default 30 s). */
  leaseMs?: number;
  /** The cursor's name in `change_cursors` (default `issue-alerts`). */
  consumer?: string;
  /** Where fires enqueue their actions (in the fire's transaction); without it actions stay pending. */
  queue?: JobQueue;
}

/**
 * Evaluates the projects' alert rules against the change outbox (`issue_changes`), off the request
 * path. Like the plugin `HookDispatcher`, it keeps a durable `(txid, change_id)` cursor
 * (`change_cursors`, an `OutboxReader`) leased by one process at a time (`FOR UPDATE SKIP LOCKED`). Unlike hooks, no
 * plugin code runs here: a round reads a batch, evaluates the rules and, in one transaction, records
 * the fires (`alert_fires`, with the intended actions) and advances the cursor, checked against the
 * lease. So a fire is recorded exactly once, however many evaluators share the database; a unique
 * `(rule_id, change_id)` backs that up. The same transaction enqueues the fire's action jobs (or adds
 * it to the rule's open digest), so a fire is announced if and only if it is recorded.
 *
 * It runs when changes are announced (the `changes` signal, from any process), with a slow poll as
 * the safety net, and reads the outbox only while some enabled rule has a change trigger: without
 * one, its cursor is moved past the changes unread (see `LeasedCursor.skipToNow`).
 */
export class AlertEvaluator {
  private readonly reader: OutboxReader;

  constructor(private readonly options: AlertEvaluatorOptions) {
    this.reader = new OutboxReader({
      knex: options.knex,
      consumer: options.consumer ?? 'issue-alerts',
      batchSize: options.batchSize ?? 100,
      plan: (changes) => this.plan(changes),
      idleWhen: () => this.noChangeRules(),
      onError: (err) => this.options.log.error({ err }, 'alert evaluation failed; retrying'),
      leaseMs: options.leaseMs,
      pollMs: options.pollMs,
      idlePollMs: options.idlePollMs,
    });
  }

  /** Creates the cursor if missing (at "now": rules see changes from the first start on), then runs. */
  start(): Promise<void> {
    return this.reader.start();
  }

  stop(): Promise<void> {
    return this.reader.stop();
  }

  /** Evaluates what is there until caught up (for tests). Returns the changes this evaluator handled. */
  drain(): Promise<number> {
    return this.reader.drain();
  }

  /** SQL: no enabled rule has a change trigger (frequency triggers read counters, not the outbox). */
  private noChangeRules() {
    return this.options.knex.raw(
      `NOT EXISTS (SELECT 1 FROM alert_rules r WHERE r.enabled
         AND EXISTS (SELECT 1 FROM jsonb_array_elements(r.triggers) t WHERE t->>'id' = ANY(?::text[])))`,
      [[...CHANGE_TRIGGER_IDS]],
    );
  }

  /** A round over a batch: evaluate the rules, then record the fires with the cursor's advance. */
  private async plan(changes: IssueChangeRecord[]): Promise<RoundWork> {
    const rules = await enabledRules(this.options.knex, [...new Set(changes.map((c) => c.projectId))]);
    const triggering = changes.filter((c) => isChangeTriggerKind(c.kind));
    return async (trx) => {
      if (triggering.length === 0) return;
      // One transaction: `now()` and the issues' facts are the same for every change of the round.
      const { rows } = await trx.raw<{ rows: { now: Date | string }[] }>('SELECT now() AS now');
      const now = new Date(rows[0].now);
      const issues = await issueFactsOf(trx, [...new Set(triggering.map((c) => c.issueId))]);
      const queries = await roundQueryFacts(trx, triggering, rules, now);
      for (const change of triggering)
        await this.evaluate(trx, change, rules, issues, queries.get(change.projectId), now);
    };
  }

  private async evaluate(
    trx: Knex.Transaction,
    change: IssueChangeRecord,
    rules: AlertRule[],
    issues: Map<number, IssueFacts>,
    queries: Map<number, Set<string>> | undefined,
    now: Date,
  ): Promise<void> {
    const mine = changeRulesOf(rules, change.projectId);
    if (mine.length === 0) return;
    const issue = issues.get(change.issueId);
    if (!issue) return; // deleted since
    // The event that caused the change, when the pipeline recorded it; else the issue's newest.
    const event = needsEventFacts(mine)
      ? (eventFactsOfChange(change.data) ?? (await latestEventFacts(trx, change.issueId)))
      : undefined;
    const matchedQueries = queries?.get(change.issueId);
    for (const rule of mine) {
      const last = await trx('alert_fires')
        .where({ rule_id: rule.id, issue_id: change.issueId })
        .max<{ at: Date | string | null } | undefined>('fired_at as at')
        .first();
      const verdict = evaluateRule(
        rule,
        { change, issue, event, matchedQueries },
        last?.at ? new Date(last.at) : undefined,
        now,
      );
      if (!verdict.fire) continue;
      await recordFire(trx, this.options.queue, {
        rule,
        issueId: change.issueId,
        changeId: change.id,
        firing: { trigger: verdict.trigger, reason: verdict.reason },
      });
    }
  }
}

/** The project's rules that a change can fire (frequency triggers are the scheduled job's). */
function changeRulesOf(rules: AlertRule[], projectId: number): AlertRule[] {
  return rules.filter((r) => r.projectId === projectId && r.triggers.some((t) => !isFrequencyTrigger(t)));
}

/**
 * Which query filters the round's issues match, by project then issue: one search per project and
 * distinct query over all the round's issues of that project, rather than one per change. Read in
 * the round's transaction at its `now`, like the issues' facts; no SQL when no rule has a query.
 */
async function roundQueryFacts(
  trx: Knex.Transaction,
  changes: IssueChangeRecord[],
  rules: AlertRule[],
  now: Date,
): Promise<Map<number, Map<number, Set<string>>>> {
  const issuesByProject = new Map<number, Set<number>>();
  for (const c of changes)
    issuesByProject.set(c.projectId, (issuesByProject.get(c.projectId) ?? new Set()).add(c.issueId));
  const byProject = new Map<number, Map<number, Set<string>>>();
  for (const [projectId, issueIds] of issuesByProject)
    byProject.set(
      projectId,
      await queryFactsOf(trx, projectId, [...issueIds], changeRulesOf(rules, projectId), now),
    );
  return byProject;
}
