import type { Knex } from 'knex';
import { codeLocationOfEvent, type CodeLocationOfEvent } from './code-location-frames';
import { selectIssues, type IssueRow, type PageWindow } from './queries';
import type { IssueStatus } from './types';

export interface CodeLocationFilter extends PageWindow {
  organizationIds: number[];
  /** Undefined: every project of the organizations. */
  projectIds?: number[];
  /** The latest event among these environments (empty: any). */
  environments: string[];
  levels: string[];
  statuses: IssueStatus[];
  /** Only these issues (empty: all): how an editor refetches the issues a change names. */
  issueIds: number[];
}

/** An issue with where its latest event (in the chosen environments) threw, and that event's facts. */
export interface IssueCodeLocation extends CodeLocationOfEvent {
  issue: IssueRow;
  eventId: string;
  release: string | null;
  environment: string;
  /** Events of the issue received in the last 24 hours. */
  events24h: number;
}

const DAY_MS = 86_400_000;

/**
 * One page of issues with the in-app frames of their latest event, for editors that place issues on
 * lines: a whole workspace's issues in a few requests instead of one per issue. Ordered by issue id,
 * so a new issue lands on the last page and a walk through the pages sees every issue once.
 */
export async function listCodeLocations(
  knex: Knex,
  filter: CodeLocationFilter,
  now: Date = new Date(),
): Promise<IssueCodeLocation[]> {
  if (filter.projectIds?.length === 0 || filter.statuses.length === 0) return [];
  const environments =
    filter.environments.length === 0
      ? ''
      : `AND e.environment IN (${filter.environments.map(() => '?').join(', ')})`;
  // The latest event per issue through the (issue_id, received_at DESC) index: one probe per row.
  const query = selectIssues(knex, filter.organizationIds)
    .joinRaw(
      `CROSS JOIN LATERAL (
         SELECT e.event_id, e.release, e.environment, e.data->'exception' AS exception
           FROM events e
          WHERE e.issue_id = i.id ${environments}
          ORDER BY e.received_at DESC, e.event_id DESC
          LIMIT 1) AS latest`,
      filter.environments,
    )
    .select(
      'latest.event_id as latest_event_id',
      'latest.release as latest_release',
      'latest.environment as latest_environment',
      'latest.exception as latest_exception',
    )
    .whereIn('i.status', filter.statuses)
    .orderBy('i.id')
    .limit(filter.limit)
    .offset(filter.offset);
  if (filter.projectIds) query.whereIn('i.project_id', filter.projectIds);
  if (filter.levels.length > 0) query.whereIn('i.level', filter.levels);
  if (filter.issueIds.length > 0) query.whereIn('i.id', filter.issueIds);
  const rows: (IssueRow & {
    latest_event_id: string;
    latest_release: string | null;
    latest_environment: string;
    latest_exception: unknown;
  })[] = await query;
  const recent = await countRecentEvents(
    knex,
    rows.map((r) => r.id),
    new Date(now.getTime() - DAY_MS),
  );
  return rows.map(({ latest_event_id, latest_release, latest_environment, latest_exception, ...issue }) => ({
    issue,
    eventId: latest_event_id,
    release: latest_release,
    environment: latest_environment,
    events24h: recent.get(issue.id) ?? 0,
    // PGlite may hand json back as text.
    ...codeLocationOfEvent(
      typeof latest_exception === 'string' ? JSON.parse(latest_exception) : latest_exception,
    ),
  }));
}

async function countRecentEvents(knex: Knex, issueIds: number[], since: Date): Promise<Map<number, number>> {
  if (issueIds.length === 0) return new Map();
  const { rows } = await knex.raw<{ rows: { issue_id: number; count: number }[] }>(
    `SELECT issue_id, count(*)::int AS count FROM events
      WHERE issue_id = ANY(?::int[]) AND received_at >= ? GROUP BY issue_id`,
    [issueIds, since.toISOString()],
  );
  return new Map(rows.map((r) => [r.issue_id, r.count]));
}
