import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { recordIssueChanges, type NewIssueChange } from '../changes';
import { columnBindings } from '../db';
import { countEventMinutes } from './minute-counters';
import type { PreparedEvent } from './prepared-event';
import { pgJson, pgText, pgTextOrNull } from './pg-text';

/** What one stored batch did, for logs and metrics (the change stream reads `issue_changes`). */
export interface StoreSummary {
  stored: number;
  duplicates: number;
  newIssueIds: number[];
  regressedIssueIds: number[];
}

const iso = (d: Date) => d.toISOString();
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `issue_users` only needs user keys to count distinct users, but its primary key is a btree whose
 * rows must stay under ~2.7 KB: a longer key is replaced by its digest.
 */
const MAX_INDEXED_KEY_CHARS = 512;
const indexableKey = (key: string): string =>
  key.length <= MAX_INDEXED_KEY_CHARS
    ? key
    : `sha256:${crypto.createHash('sha256').update(key).digest('hex')}`;

/**
 * Writes a batch of prepared events inside the caller's transaction, with a fixed handful of
 * set-based statements whatever the batch size: drop re-sent event ids, find or create the issue of
 * each fingerprint, bump issue counters (regressing resolved issues), insert events, count tag values
 * and distinct users.
 */
export async function storeEventBatch(trx: Knex.Transaction, batch: PreparedEvent[]): Promise<StoreSummary> {
  const fresh = await dropDuplicates(trx, batch);
  const summary: StoreSummary = {
    stored: 0,
    duplicates: batch.length - fresh.length,
    newIssueIds: [],
    regressedIssueIds: [],
  };
  if (fresh.length === 0) return summary;

  const issueOf = await resolveIssues(trx, fresh, summary);
  const counted = await updateIssueCounters(trx, fresh, issueOf);
  summary.regressedIssueIds = counted.filter((c) => c.regressed).map((c) => c.id);
  await insertEvents(trx, fresh, issueOf);
  await countTagValues(trx, fresh, issueOf);
  await countEventMinutes(trx, fresh, issueOf);
  const latest = latestEventOf(fresh, issueOf);
  await recordRegressions(trx, summary.regressedIssueIds, latest);
  await recordIssueChanges(trx, batchChanges(summary, counted, latest));
  summary.stored = fresh.length;
  return summary;
}

/** Each issue's newest event of the batch (by arrival), whose facts alert filters look at. */
function latestEventOf(
  events: PreparedEvent[],
  issueOf: Map<PreparedEvent, number>,
): Map<number, PreparedEvent> {
  const latest = new Map<number, PreparedEvent>();
  for (const p of events) {
    const id = issueOf.get(p)!;
    const seen = latest.get(id);
    if (!seen || p.receivedAt >= seen.receivedAt) latest.set(id, p);
  }
  return latest;
}

/**
 * Keeps, for the issue's activity, that the pipeline reopened these resolved issues and with which
 * event: one row per regression, and no statement at all for the usual batch without any.
 */
async function recordRegressions(
  trx: Knex.Transaction,
  issueIds: number[],
  latest: Map<number, PreparedEvent>,
): Promise<void> {
  if (issueIds.length === 0) return;
  const events = issueIds.map((id) => latest.get(id)!.event);
  await trx.raw(
    `INSERT INTO issue_regressions (issue_id, event_id, release)
     SELECT * FROM unnest(?::int[], ?::text[], ?::text[])`,
    columnBindings(
      issueIds,
      events.map((e) => pgText(e.event_id)),
      events.map((e) => pgTextOrNull(e.release)),
    ),
  );
}

/** What alert filters (environment, release, tags) need of the event that created or regressed an issue. */
function eventFacts(p: PreparedEvent | undefined): Record<string, unknown> {
  if (!p) return {};
  return {
    event: {
      id: pgText(p.event.event_id),
      environment: pgText(p.event.environment),
      release: pgTextOrNull(p.event.release),
      tags: p.event.tags.map(([k, v]) => [pgText(k), pgText(v)]),
    },
  };
}

/** The outbox rows of a batch: new and regressed issues, and each touched issue's new event count. */
function batchChanges(
  summary: StoreSummary,
  counted: CountedIssue[],
  latest: Map<number, PreparedEvent>,
): NewIssueChange[] {
  const surface = 'pipeline';
  const change = (issueId: number, kind: 'created' | 'regressed'): NewIssueChange => ({
    issueId,
    kind,
    surface,
    data: eventFacts(latest.get(issueId)),
  });
  return [
    ...summary.newIssueIds.map((issueId) => change(issueId, 'created')),
    ...summary.regressedIssueIds.map((issueId) => change(issueId, 'regressed')),
    ...counted.map((c): NewIssueChange => ({
      issueId: c.id,
      kind: 'events_counted',
      surface,
      data: { timesSeen: c.timesSeen, added: c.added, userCount: c.userCount },
    })),
  ];
}

interface CountedIssue {
  id: number;
  regressed: boolean;
  timesSeen: number;
  userCount: number;
  added: number;
}

/** Keeps the events whose (project, event id) was never stored; also de-duplicates within the batch. */
async function dropDuplicates(trx: Knex.Transaction, batch: PreparedEvent[]): Promise<PreparedEvent[]> {
  const unique = new Map<string, PreparedEvent>();
  for (const p of batch) {
    const k = `${p.projectId}:${pgText(p.event.event_id)}`;
    if (!unique.has(k)) unique.set(k, p);
  }
  const candidates = [...unique.values()];
  const { rows } = await trx.raw<{ rows: { project_id: number; event_id: string }[] }>(
    `INSERT INTO event_ids_seen (project_id, event_id)
     SELECT * FROM unnest(?::int[], ?::text[])
     ON CONFLICT DO NOTHING RETURNING project_id, event_id`,
    [candidates.map((p) => p.projectId), candidates.map((p) => pgText(p.event.event_id))],
  );
  const inserted = new Set(rows.map((r) => `${r.project_id}:${r.event_id}`));
  return candidates.filter((p) => inserted.has(`${p.projectId}:${pgText(p.event.event_id)}`));
}

/** Maps each event to an issue id, creating issues for fingerprints never seen before. */
async function resolveIssues(
  trx: Knex.Transaction,
  events: PreparedEvent[],
  summary: StoreSummary,
): Promise<Map<PreparedEvent, number>> {
  const known = await lookupHashes(trx, events);
  const issueOf = new Map<PreparedEvent, number>();
  const unmatched: PreparedEvent[] = [];
  for (const p of events) {
    const hit = p.grouping.hashes.map((h) => known.get(`${p.projectId}:${h}`)).find((id) => id !== undefined);
    if (hit !== undefined) issueOf.set(p, hit);
    else unmatched.push(p);
  }
  if (unmatched.length === 0) return issueOf;

  // Serialize creation per fingerprint across workers, then look again: another worker may have won.
  const groupKey = (p: PreparedEvent) => `${p.projectId}:${p.grouping.hashes[0]}`;
  const lockKeys = [...new Set(unmatched.map(groupKey))].sort();
  await trx.raw(
    `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT unnest(?::text[]) AS k ORDER BY 1) s`,
    [lockKeys],
  );
  const again = await lookupHashes(trx, unmatched);
  const firstOfGroup = new Map<string, PreparedEvent>();
  for (const p of unmatched) {
    const hit = p.grouping.hashes.map((h) => again.get(`${p.projectId}:${h}`)).find((id) => id !== undefined);
    if (hit !== undefined) issueOf.set(p, hit);
    else if (!firstOfGroup.has(groupKey(p))) firstOfGroup.set(groupKey(p), p);
  }
  if (firstOfGroup.size > 0) {
    const created = await createIssues(trx, [...firstOfGroup.values()]);
    summary.newIssueIds.push(...created.values());
    for (const p of unmatched) {
      if (!issueOf.has(p)) issueOf.set(p, created.get(groupKey(p))!);
    }
  }
  return issueOf;
}

async function lookupHashes(trx: Knex.Transaction, events: PreparedEvent[]): Promise<Map<string, number>> {
  const projects: number[] = [];
  const hashes: string[] = [];
  for (const p of events) {
    for (const h of p.grouping.hashes) {
      projects.push(p.projectId);
      hashes.push(h);
    }
  }
  const { rows } = await trx.raw<{ rows: { project_id: number; hash: string; issue_id: number }[] }>(
    `SELECT g.project_id, g.hash, g.issue_id FROM group_hashes g
       JOIN unnest(?::int[], ?::text[]) AS k(project_id, hash) ON g.project_id = k.project_id AND g.hash = k.hash`,
    [projects, hashes],
  );
  return new Map(rows.map((r) => [`${r.project_id}:${r.hash}`, r.issue_id]));
}

/** Creates one issue per first event of a new fingerprint; returns `project:hash` → issue id. */
async function createIssues(trx: Knex.Transaction, firsts: PreparedEvent[]): Promise<Map<string, number>> {
  const perProject = new Map<number, PreparedEvent[]>();
  for (const p of firsts) perProject.set(p.projectId, [...(perProject.get(p.projectId) ?? []), p]);
  const rows: Record<string, unknown>[] = [];
  const firstByShortId = new Map<string, PreparedEvent>();
  for (const projectId of [...perProject.keys()].sort((a, b) => a - b)) {
    const group = perProject.get(projectId)!;
    const { rows: reserved } = await trx.raw<{ rows: { next_short_id: number }[] }>(
      'UPDATE projects SET next_short_id = next_short_id + ? WHERE id = ? RETURNING next_short_id',
      [group.length, projectId],
    );
    if (reserved.length === 0) continue; // the project was deleted while its events were queued
    let shortId = reserved[0].next_short_id - group.length;
    for (const p of group) {
      firstByShortId.set(`${projectId}:${shortId}`, p);
      rows.push({
        project_id: projectId,
        short_id: shortId++,
        type: p.issue.type,
        title: pgText(p.issue.title),
        culprit: pgText(p.issue.culprit),
        metadata: pgJson(p.issue.metadata),
        level: pgText(p.issue.level),
        platform: pgText(p.event.platform),
        logger: pgTextOrNull(p.event.logger),
        status: 'unresolved',
        substatus: 'new',
        first_seen: iso(p.timestamp),
        last_seen: iso(p.timestamp),
        times_seen: 0,
        first_release: pgTextOrNull(p.event.release),
      });
    }
  }
  if (rows.length === 0) return new Map();
  const inserted: { id: number; project_id: number; short_id: number }[] = await trx('issues')
    .insert(rows)
    .returning(['id', 'project_id', 'short_id']);
  const created = new Map<string, number>();
  const hashRows: Record<string, unknown>[] = [];
  for (const row of inserted) {
    const first = firstByShortId.get(`${row.project_id}:${row.short_id}`)!;
    created.set(`${row.project_id}:${first.grouping.hashes[0]}`, row.id);
    for (const hash of first.grouping.hashes) {
      hashRows.push({
        project_id: row.project_id,
        hash,
        issue_id: row.id,
        grouping_version: first.grouping.version,
      });
    }
  }
  await trx('group_hashes').insert(hashRows).onConflict(['project_id', 'hash']).ignore();
  return created;
}

/** Adds this batch's events and new distinct users to each issue; returns each issue's new counts. */
async function updateIssueCounters(
  trx: Knex.Transaction,
  events: PreparedEvent[],
  issueOf: Map<PreparedEvent, number>,
): Promise<CountedIssue[]> {
  const perIssue = new Map<
    number,
    { n: number; first: Date; last: Date; unhandled: boolean; level: string }
  >();
  const users = new Set<string>();
  for (const p of events) {
    const id = issueOf.get(p)!;
    const agg = perIssue.get(id);
    if (!agg)
      perIssue.set(id, {
        n: 1,
        first: p.timestamp,
        last: p.timestamp,
        unhandled: p.isUnhandled,
        level: pgText(p.issue.level),
      });
    else {
      agg.n += 1;
      if (p.timestamp < agg.first) agg.first = p.timestamp;
      if (p.timestamp >= agg.last) {
        agg.last = p.timestamp;
        agg.level = pgText(p.issue.level);
      }
      agg.unhandled ||= p.isUnhandled;
    }
    if (p.userKey) users.add(`${id}\u0000${indexableKey(pgText(p.userKey))}`);
  }
  const ids = [...perIssue.keys()].sort((a, b) => a - b);
  const userPairs = [...users].map((u) => u.split('\u0000'));
  const { rows } = await trx.raw<{
    rows: { id: number; old_status: string; times_seen: number; user_count: number }[];
  }>(
    `WITH new_users AS (
       INSERT INTO issue_users (issue_id, user_key)
       SELECT * FROM unnest(?::int[], ?::text[]) ON CONFLICT DO NOTHING RETURNING issue_id
     ), user_counts AS (SELECT issue_id, count(*)::int AS n FROM new_users GROUP BY issue_id),
     v AS (SELECT * FROM unnest(?::int[], ?::int[], ?::timestamptz[], ?::timestamptz[], ?::bool[], ?::text[])
           AS v(id, n, first_seen, last_seen, unhandled, level))
     UPDATE issues i SET
       times_seen = i.times_seen + v.n,
       user_count = i.user_count + COALESCE(uc.n, 0),
       first_seen = LEAST(i.first_seen, v.first_seen),
       last_seen = GREATEST(i.last_seen, v.last_seen),
       level = CASE WHEN v.last_seen >= i.last_seen THEN v.level ELSE i.level END,
       is_unhandled = i.is_unhandled OR v.unhandled,
       status = CASE WHEN i.status = 'resolved' THEN 'unresolved' ELSE i.status END,
       substatus = CASE WHEN i.status = 'resolved' THEN 'regressed' ELSE i.substatus END,
       is_regression = i.is_regression OR i.status = 'resolved',
       resolved_at = CASE WHEN i.status = 'resolved' THEN NULL ELSE i.resolved_at END
     FROM v JOIN issues old ON old.id = v.id LEFT JOIN user_counts uc ON uc.issue_id = v.id
     WHERE i.id = v.id
     RETURNING i.id, old.status AS old_status, i.times_seen, i.user_count`,
    columnBindings(
      userPairs.map(([id]) => Number(id)),
      userPairs.map(([, key]) => key),
      ids,
      ids.map((id) => perIssue.get(id)!.n),
      ids.map((id) => iso(perIssue.get(id)!.first)),
      ids.map((id) => iso(perIssue.get(id)!.last)),
      ids.map((id) => perIssue.get(id)!.unhandled),
      ids.map((id) => perIssue.get(id)!.level),
    ),
  );
  return rows.map((r) => ({
    id: r.id,
    regressed: r.old_status === 'resolved',
    timesSeen: r.times_seen,
    userCount: r.user_count,
    added: perIssue.get(r.id)!.n,
  }));
}

/**
 * One statement for the whole batch, with a dozen bind parameters whatever its size: a column array
 * each for the short values, and the events' JSON as one JSON array, split by Postgres. A bind
 * parameter per value (12 per event, in a multi-row VALUES) cost Postgres more to bind and plan
 * than to store the rows; and the JSON, the bulk of the bytes, must not go in a text[] literal
 * either, where pg would escape every quote in it first (and Postgres unescape them again).
 */
async function insertEvents(
  trx: Knex.Transaction,
  events: PreparedEvent[],
  issueOf: Map<PreparedEvent, number>,
): Promise<void> {
  const column = <T>(value: (p: PreparedEvent) => T): T[] => events.map(value);
  await trx.raw(
    `INSERT INTO events (project_id, issue_id, event_id, received_at, "timestamp", level, environment, release,
                         title, message, user_key, data)
     SELECT e.project_id, e.issue_id, e.event_id, e.received_at, e.ts, e.level, e.environment, e.release,
            e.title, e.message, e.user_key, d.data
       FROM unnest(?::int[], ?::int[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[],
                   ?::text[], ?::text[], ?::text[], ?::text[])
            WITH ORDINALITY AS e(project_id, issue_id, event_id, received_at, ts, level, environment, release,
                                 title, message, user_key, n)
       JOIN json_array_elements(?::json) WITH ORDINALITY AS d(data, n) USING (n)`,
    [
      ...columnBindings(
        column((p) => p.projectId),
        column((p) => issueOf.get(p)!),
        column((p) => pgText(p.event.event_id)),
        column((p) => iso(p.receivedAt)),
        column((p) => iso(p.timestamp)),
        column((p) => pgText(p.event.level)),
        column((p) => pgText(p.event.environment)),
        column((p) => pgTextOrNull(p.event.release)),
        column((p) => pgText(p.issue.title)),
        column((p) => pgText(p.event.message ?? p.event.exception?.values.at(-1)?.value ?? '')),
        column((p) => pgTextOrNull(p.userKey)),
      ),
      `[${column((p) => p.dataJson).join(',')}]`,
    ],
  );
}

async function countTagValues(
  trx: Knex.Transaction,
  events: PreparedEvent[],
  issueOf: Map<PreparedEvent, number>,
): Promise<void> {
  const counts = new Map<
    string,
    { issue: number; key: string; value: string; n: number; first: Date; last: Date }
  >();
  for (const p of events) {
    const issue = issueOf.get(p)!;
    for (const [rawKey, rawValue] of p.event.tags) {
      const key = pgText(rawKey);
      const value = pgText(rawValue);
      const k = `${issue}\u0000${key}\u0000${value}`;
      const c = counts.get(k);
      if (!c) counts.set(k, { issue, key, value, n: 1, first: p.timestamp, last: p.timestamp });
      else {
        c.n += 1;
        if (p.timestamp < c.first) c.first = p.timestamp;
        if (p.timestamp > c.last) c.last = p.timestamp;
      }
    }
  }
  if (counts.size === 0) return;
  // Any fixed order will do (concurrent batches then lock rows in the same order); code-unit order
  // is much cheaper than localeCompare.
  const rows = [...counts.values()].sort(
    (a, b) => a.issue - b.issue || compareText(a.key, b.key) || compareText(a.value, b.value),
  );
  await trx.raw(
    `INSERT INTO issue_tag_values (issue_id, key, value, times_seen, first_seen, last_seen)
     SELECT * FROM unnest(?::int[], ?::text[], ?::text[], ?::int[], ?::timestamptz[], ?::timestamptz[])
     ON CONFLICT (issue_id, key, value) DO UPDATE SET
       times_seen = issue_tag_values.times_seen + excluded.times_seen,
       first_seen = LEAST(issue_tag_values.first_seen, excluded.first_seen),
       last_seen = GREATEST(issue_tag_values.last_seen, excluded.last_seen)`,
    columnBindings(
      rows.map((r) => r.issue),
      rows.map((r) => r.key),
      rows.map((r) => r.value),
      rows.map((r) => r.n),
      rows.map((r) => iso(r.first)),
      rows.map((r) => iso(r.last)),
    ),
  );
}
