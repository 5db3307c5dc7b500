import type { Knex } from 'knex';
import type { JobQueue } from '../jobs';
import type { AlertRule, Firing } from './rules';
import { jsonColumn } from '../db';

/** The job queues alerts use. */
export const ALERT_QUEUES = {
  /** One job per action of a fire (or of a closed digest): calls the plugin. */
  action: 'alert-action',
  /** A delayed job per digest window: closes the digest and enqueues its actions. */
  digest: 'alert-digest',
  /** Every minute: evaluates frequency triggers and prunes old counters. */
  frequency: 'alert-frequency',
} as const;

/** What an action job carries: the fire or the digest, and the index of the action in it. */
export type ActionJob = { fireId: number; action: number } | { digestId: number; action: number };
export interface DigestJob {
  digestId: number;
}

export interface NewFire {
  rule: AlertRule;
  issueId: number;
  firing: Firing;
  /** The outbox change that fired the rule (change triggers). */
  changeId?: number;
  /** The evaluated minute (frequency triggers): a second evaluation of it records nothing. */
  windowKey?: string;
  /** When it fired (default: the database's now). */
  firedAt?: Date;
}

/**
 * Records a fire inside the caller's transaction and enqueues what announces it, in the same
 * transaction: one action job per action, or (for a rule with a digest) the fire joins the rule's open
 * digest. Returns false when the fire was already recorded (same change or same evaluated minute).
 * Without a queue (tests of evaluation alone) the actions stay `pending`.
 */
export async function recordFire(
  trx: Knex.Transaction,
  queue: JobQueue | undefined,
  fire: NewFire,
): Promise<boolean> {
  const { rule } = fire;
  const { rows } = await trx.raw<{ rows: { id: string | number }[] }>(
    `INSERT INTO alert_fires (rule_id, issue_id, change_id, window_key, "trigger", reason, actions, fired_at)
     VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, COALESCE(?::timestamptz, now()))
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      rule.id,
      fire.issueId,
      fire.changeId ?? null,
      fire.windowKey ?? null,
      fire.firing.trigger,
      fire.firing.reason,
      JSON.stringify(rule.actions.map((a) => ({ ...a, status: 'pending' }))),
      fire.firedAt?.toISOString() ?? null,
    ],
  );
  if (rows.length === 0) return false;
  const fireId = Number(rows[0].id);
  if (rule.digestMinutes) {
    const digestId = await openDigest(trx, queue, rule);
    await trx('alert_fires').where('id', fireId).update({ digest_id: digestId });
  } else if (queue) {
    for (let action = 0; action < rule.actions.length; action++)
      await queue.send(ALERT_QUEUES.action, { fireId, action } satisfies ActionJob, { trx });
  }
  return true;
}

/**
 * The rule's open digest, locked until the caller commits (so the digest job cannot close it under
 * this fire); opened, with its delayed job, when there is none. A digest closed meanwhile is skipped
 * by `FOR UPDATE` (its row no longer matches), and a new one is opened.
 */
async function openDigest(
  trx: Knex.Transaction,
  queue: JobQueue | undefined,
  rule: AlertRule,
): Promise<number> {
  for (;;) {
    const open = await trx('alert_digests')
      .where('rule_id', rule.id)
      .whereNull('closed_at')
      .forUpdate()
      .first<{ id: string | number } | undefined>('id');
    if (open) return Number(open.id);
    const { rows } = await trx.raw<{ rows: { id: string | number }[] }>(
      `INSERT INTO alert_digests (rule_id, actions) VALUES (?, ?::jsonb)
       ON CONFLICT (rule_id) WHERE closed_at IS NULL DO NOTHING RETURNING id`,
      [rule.id, JSON.stringify(rule.actions)],
    );
    if (rows.length === 0) continue; // another transaction opened it first: lock that one
    const digestId = Number(rows[0].id);
    await queue?.send(ALERT_QUEUES.digest, { digestId } satisfies DigestJob, {
      trx,
      singletonKey: `alert-digest-${digestId}`,
      startAfterSeconds: rule.digestMinutes! * 60,
    });
    return digestId;
  }
}

/**
 * Closes a digest whose window has passed and enqueues one action job per action for all its fires.
 * Idempotent: a digest already closed is left alone.
 */
export async function closeDigest(knex: Knex, queue: JobQueue, digestId: number): Promise<void> {
  await knex.transaction(async (trx) => {
    const closed: { actions: unknown }[] = await trx('alert_digests')
      .where('id', digestId)
      .whereNull('closed_at')
      .update({ closed_at: trx.fn.now() })
      .returning('actions');
    if (closed.length === 0) return;
    const fires = await trx('alert_fires').where('digest_id', digestId).count<{ n: string }[]>('* as n');
    if (Number(fires[0].n) === 0) return;
    const actions = jsonColumn<unknown[]>(closed[0].actions);
    for (let action = 0; action < actions.length; action++)
      await queue.send(ALERT_QUEUES.action, { digestId, action } satisfies ActionJob, { trx });
  });
}
