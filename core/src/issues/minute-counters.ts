import type { Knex } from 'knex';
import { FREQUENCY_TRIGGER_IDS } from '../alerts/types';
import { columnBindings } from '../db';
import { pgText } from './pg-text';
import type { PreparedEvent } from './prepared-event';

const MINUTE_MS = 60_000;
const minuteOf = (d: Date): string => new Date(Math.floor(d.getTime() / MINUTE_MS) * MINUTE_MS).toISOString();

/**
 * Adds a stored batch to the per-minute counters that alert frequency triggers read (events per
 * issue and minute of arrival, and the distinct users among them as 64-bit hashes of the user key).
 * One statement per batch, rows in a fixed order so concurrent batches lock them in the same order.
 *
 * Only projects with an enabled rule that has a frequency trigger are counted (checked in the same
 * statement): nothing else reads the counters. So a new rule's window starts when it is created (or
 * enabled): "more than N events in M minutes" counts the events stored from then on.
 */
export async function countEventMinutes(
  trx: Knex.Transaction,
  events: PreparedEvent[],
  issueOf: Map<PreparedEvent, number>,
): Promise<void> {
  const counts = new Map<string, { project: number; minute: string; issue: number; n: number }>();
  const users = new Map<string, { project: number; minute: string; issue: number; key: string }>();
  for (const p of events) {
    const issue = issueOf.get(p)!;
    const minute = minuteOf(p.receivedAt);
    const k = `${p.projectId}|${minute}|${issue}`;
    const c = counts.get(k);
    if (c) c.n += 1;
    else counts.set(k, { project: p.projectId, minute, issue, n: 1 });
    if (p.userKey) users.set(`${k}|${p.userKey}`, { project: p.projectId, minute, issue, key: p.userKey });
  }
  const rows = [...counts.values()].sort(
    (a, b) => a.project - b.project || a.minute.localeCompare(b.minute) || a.issue - b.issue,
  );
  const people = [...users.values()];
  await trx.raw(
    `WITH counted AS (
       SELECT DISTINCT r.project_id FROM alert_rules r
        WHERE r.project_id = ANY(?::int[]) AND r.enabled
          AND EXISTS (SELECT 1 FROM jsonb_array_elements(r.triggers) t WHERE t->>'id' = ANY(?::text[]))
     ), users AS (
       INSERT INTO issue_minute_users (project_id, minute, issue_id, user_hash)
       SELECT DISTINCT u.project_id, u.minute, u.issue_id, hashtextextended(u.user_key, 0)
         FROM unnest(?::int[], ?::timestamptz[], ?::int[], ?::text[]) AS u(project_id, minute, issue_id, user_key)
        WHERE u.project_id IN (SELECT project_id FROM counted)
       ON CONFLICT DO NOTHING
     )
     INSERT INTO issue_minute_counts (project_id, minute, issue_id, events)
     SELECT * FROM unnest(?::int[], ?::timestamptz[], ?::int[], ?::int[]) AS c(project_id, minute, issue_id, events)
      WHERE c.project_id IN (SELECT project_id FROM counted)
     ON CONFLICT (project_id, minute, issue_id) DO UPDATE
       SET events = issue_minute_counts.events + excluded.events`,
    columnBindings(
      [...new Set(rows.map((r) => r.project))],
      [...FREQUENCY_TRIGGER_IDS],
      people.map((u) => u.project),
      people.map((u) => u.minute),
      people.map((u) => u.issue),
      people.map((u) => pgText(u.key)),
      rows.map((r) => r.project),
      rows.map((r) => r.minute),
      rows.map((r) => r.issue),
      rows.map((r) => r.n),
    ),
  );
}
