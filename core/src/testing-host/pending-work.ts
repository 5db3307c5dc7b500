import type { Knex } from 'knex';

/** Cursor tables of the consumers of the issue change outbox (plugin hooks, alert rules). */
const OUTBOX_CURSOR_TABLES = ['plugin_hook_cursors', 'change_cursors'] as const;

export interface PendingWork {
  /** Ingested events the pipeline has not processed yet. */
  queuedEvents: number;
  /** Outbox consumers (plugins' hooks, the alert evaluator) with changes still to handle. */
  consumersBehind: number;
  /** Jobs due before `dueBefore` that are queued, waiting for a retry or running. */
  jobs: number;
}

/**
 * What the host still has to do, read from the database in one statement (one snapshot), so work
 * moving from one stage to the next (queue → pipeline → outbox → jobs) is never missed in between.
 * Only durable state counts: every stage records its progress in the same transaction as its work.
 */
export async function pendingWork(knex: Knex, dueBefore: Date): Promise<PendingWork> {
  // The job queue creates its schema when it first starts; before that there are no jobs.
  const { rows: schema } = await knex.raw<{ rows: { jobs: boolean }[] }>(
    `SELECT to_regclass('pgboss.job') IS NOT NULL AS jobs`,
  );
  const behind = OUTBOX_CURSOR_TABLES.map(
    (table) => `(SELECT count(*) FROM ${table} c WHERE EXISTS (
        SELECT 1 FROM issue_changes ch WHERE (ch.txid, ch.id) > (c.txid, c.change_id)))`,
  ).join(' + ');
  // pg-boss's own queues (names starting with __pgboss) are its housekeeping, not our work.
  const jobs = schema[0].jobs
    ? `(SELECT count(*) FROM pgboss.job WHERE name NOT LIKE '\\_\\_pgboss%'
         AND (state = 'active' OR (state IN ('created', 'retry') AND start_after < ?)))`
    : '0';
  const { rows } = await knex.raw<{ rows: Record<keyof PendingWork, string | number>[] }>(
    `SELECT (SELECT count(*) FROM raw_events) AS "queuedEvents",
            ${behind} AS "consumersBehind",
            ${jobs} AS jobs`,
    schema[0].jobs ? [dueBefore] : [],
  );
  const row = rows[0];
  return {
    queuedEvents: Number(row.queuedEvents),
    consumersBehind: Number(row.consumersBehind),
    jobs: Number(row.jobs),
  };
}

export function isIdle(work: PendingWork): boolean {
  return work.queuedEvents === 0 && work.consumersBehind === 0 && work.jobs === 0;
}

export function describePending(work: PendingWork): string {
  const parts = [
    work.queuedEvents > 0 ? `${work.queuedEvents} event(s) not yet through the pipeline` : '',
    work.consumersBehind > 0 ? `${work.consumersBehind} hook/alert consumer(s) behind on issue changes` : '',
    work.jobs > 0 ? `${work.jobs} job(s) queued or running` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'nothing';
}
