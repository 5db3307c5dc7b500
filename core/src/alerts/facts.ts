import type { Knex } from 'knex';
import type { AlertRule, EventFacts, IssueFacts } from './rules';
import { jsonColumn } from '../db';
import { issuesMatching, parseIssueSearch } from '../search';

/** Filters that look at an event rather than the issue. */
const EVENT_FILTERS = new Set(['environment', 'release', 'tag']);

export function needsEventFacts(rules: AlertRule[]): boolean {
  return rules.some((r) => r.filters.some((f) => EVENT_FILTERS.has(f.id)));
}

/** The searches of the rules' `query` filters. */
function queriesOf(rules: AlertRule[]): string[] {
  const queries = rules.flatMap((r) => r.filters.flatMap((f) => (f.id === 'query' ? [f.query] : [])));
  return [...new Set(queries)];
}

/**
 * Which of the rules' `query` filters each issue of the project matches now, as the issue search
 * answers it (no user: `assigned:me` matches nobody; relative times count back from `now`).
 * Read in `db`, the evaluation's transaction. Empty when no rule has a query filter.
 */
export async function queryFactsOf(
  db: Knex | Knex.Transaction,
  projectId: number,
  issueIds: number[],
  rules: AlertRule[],
  now: Date,
): Promise<Map<number, Set<string>>> {
  const matched = new Map<number, Set<string>>(issueIds.map((id) => [id, new Set<string>()]));
  for (const query of queriesOf(rules)) {
    // Checked when the rule was saved; the parser is the same, so this reads it as it did then.
    const expression = parseIssueSearch(query, { userId: -1, now });
    for (const id of await issuesMatching(db, projectId, issueIds, expression)) matched.get(id)?.add(query);
  }
  return matched;
}

/** The issues as they are now (deleted ones are missing). */
export async function issueFactsOf(
  db: Knex | Knex.Transaction,
  issueIds: number[],
): Promise<Map<number, IssueFacts>> {
  if (issueIds.length === 0) return new Map();
  const rows: { id: number; level: string; first_seen: Date | string; times_seen: number }[] = await db(
    'issues',
  )
    .whereIn('id', issueIds)
    .select('id', 'level', 'first_seen', 'times_seen');
  return new Map(
    rows.map((r) => [r.id, { level: r.level, firstSeen: new Date(r.first_seen), timesSeen: r.times_seen }]),
  );
}

function tagPairs(value: unknown): [string, string][] {
  const parsed = jsonColumn<unknown>(value);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (t): t is [string, string] => Array.isArray(t) && typeof t[0] === 'string' && typeof t[1] === 'string',
  );
}

/** The event facts the pipeline put in a `created` or `regressed` change (see `issues/event-store.ts`). */
export function eventFactsOfChange(data: Record<string, unknown>): EventFacts | undefined {
  const event = data.event as { environment?: unknown; release?: unknown; tags?: unknown } | undefined;
  if (!event || typeof event !== 'object') return undefined;
  return {
    environment: typeof event.environment === 'string' ? event.environment : null,
    release: typeof event.release === 'string' ? event.release : null,
    tags: tagPairs(event.tags),
  };
}

/**
 * The facts of the issue's newest event, for changes and evaluations that carry none: the event the
 * API calls `latest` (same order as `findIssueEdgeEvent`), reading three fields rather than the
 * whole payload.
 */
export async function latestEventFacts(
  db: Knex | Knex.Transaction,
  issueId: number,
): Promise<EventFacts | undefined> {
  const row = await db('events')
    .where('issue_id', issueId)
    .orderBy([
      { column: 'received_at', order: 'desc' },
      { column: 'event_id', order: 'desc' },
    ])
    .first<{ environment: string | null; release: string | null; tags: unknown } | undefined>(
      'environment',
      'release',
      db.raw(`data -> 'tags' AS tags`),
    );
  return row ? { environment: row.environment, release: row.release, tags: tagPairs(row.tags) } : undefined;
}
