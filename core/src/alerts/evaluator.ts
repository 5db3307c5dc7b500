import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { LeasedCursor, readChangesAfter, type IssueChangeRecord } from '../changes';
import type { Logger } from '../logging';
import { evaluateRule, type AlertRule } from './rules';
import { enabledRules } from './store';

export interface AlertEvaluatorOptions {
  knex: Knex;
  log: Logger;
  /** Poll interval (default 250 ms). */
  pollMs?: number;
  /** Changes read per round (default 100). */
  batchSize?: number;
  /** How long a claimed cursor stays with this evaluator without renewal (default 30 s). */
  leaseMs?: number;
  /** The cursor's name in `alert_cursors` (default `issue-alerts`). */
  consumer?: string;
}

/** Thrown inside a round's transaction when the lease was lost, to roll the round back. */
class LeaseLost extends Error {}

/**
 * Evaluates the projects' alert rules against the change outbox (`issue_changes`), off the request
 * path. Like the plugin `HookDispatcher`, it keeps a durable `(txid, change_id)` cursor
 * (`alert_cursors`) leased by one process at a time (`FOR UPDATE SKIP LOCKED`). Unlike hooks, no
 * plugin code runs here: a round reads a batch, evaluates the rules and, in one transaction, records
 * the fires (`alert_fires`, with the intended actions) and advances the cursor, checked against the
 * lease. So a fire is recorded exactly once, however many evaluators share the database; a unique
 * `(rule_id, change_id)` backs that up. Calling the actions' plugins is left to a later pass.
 */
export class AlertEvaluator {
  private readonly owner = randomUUID();
  private readonly consumer: string;
  private readonly cursor: LeasedCursor;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: AlertEvaluatorOptions) {
    this.consumer = options.consumer ?? 'issue-alerts';
    this.cursor = new LeasedCursor(
      options.knex,
      { table: 'alert_cursors', keyColumn: 'consumer', key: this.consumer },
      this.owner,
      options.leaseMs ?? 30_000,
    );
  }

  /** Creates the cursor if missing (at "now": rules see changes from the first start on), then polls. */
  async start(): Promise<void> {
    await this.ensureCursor();
    const tick = () => {
      if (this.stopped) return;
      this.running = this.pump()
        .then(() => undefined)
        .catch((err: unknown) => this.options.log.error({ err }, 'alert evaluation failed; retrying'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs ?? 250);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await LeasedCursor.releaseAll(this.options.knex, 'alert_cursors', this.owner);
  }

  /** Evaluates what is there until caught up (for tests). Returns the changes this evaluator handled. */
  async drain(): Promise<number> {
    await this.ensureCursor();
    await this.running;
    let total = 0;
    for (let n = await this.pump(); n > 0; n = await this.pump()) total += n;
    return total;
  }

  private async ensureCursor(): Promise<void> {
    await LeasedCursor.ensureAll(this.options.knex, 'alert_cursors', 'consumer', [this.consumer]);
  }

  /** One round: claim the cursor, evaluate a batch, record fires and advance. Returns the changes handled. */
  private async pump(): Promise<number> {
    const { knex } = this.options;
    const cursor = await this.cursor.claim();
    if (!cursor) return 0;
    const changes = await readChangesAfter(knex, { after: cursor, limit: this.options.batchSize ?? 100 });
    if (changes.length === 0) return 0;
    const rules = await enabledRules(knex, [...new Set(changes.map((c) => c.projectId))]);
    try {
      await knex.transaction(async (trx) => {
        for (const change of changes) await this.evaluate(trx, change, rules);
        if (!(await this.cursor.advance(trx, changes.at(-1)!.cursor))) throw new LeaseLost();
      });
    } catch (err) {
      if (err instanceof LeaseLost) return 0; // another evaluator has the cursor now
      throw err;
    }
    return changes.length;
  }

  private async evaluate(
    trx: Knex.Transaction,
    change: IssueChangeRecord,
    rules: AlertRule[],
  ): Promise<void> {
    const mine = rules.filter((r) => r.projectId === change.projectId);
    if (mine.length === 0) return;
    const issue = await trx('issues')
      .where('id', change.issueId)
      .first<{ level: string; first_seen: Date | string; times_seen: number } | undefined>(
        'level',
        'first_seen',
        'times_seen',
      );
    if (!issue) return; // deleted since
    const { rows } = await trx.raw<{ rows: { now: Date | string }[] }>('SELECT now() AS now');
    const now = new Date(rows[0].now);
    for (const rule of mine) {
      const last = await trx('alert_fires')
        .where({ rule_id: rule.id, issue_id: change.issueId })
        .max<{ at: Date | string | null } | undefined>('fired_at as at')
        .first();
      const verdict = evaluateRule(
        rule,
        change,
        { level: issue.level, firstSeen: new Date(issue.first_seen), timesSeen: issue.times_seen },
        last?.at ? new Date(last.at) : undefined,
        now,
      );
      if (!verdict.fire) continue;
      await trx('alert_fires')
        .insert({
          rule_id: rule.id,
          issue_id: change.issueId,
          change_id: change.id,
          actions: JSON.stringify(rule.actions.map((a) => ({ ...a, status: 'pending' }))),
        })
        .onConflict(['rule_id', 'change_id'])
        .ignore();
    }
  }
}
