import type { Knex } from 'knex';
import type { IssueStatus } from './types';

/**
 * Read-side queries over issues, their events and tag counts, for the REST API and other readers.
 * Every function takes the organizations the caller may see, so nothing here can leak an issue of
 * another organization; turning "not visible" into a 404 is the caller's business.
 */

export { ISSUE_STATUSES, type IssueStatus } from './types';

/** An issue row with what serializing it needs: its project, organization and assignee. */
export interface IssueRow {
  id: number;
  project_id: number;
  short_id: number;
  type: string;
  title: string;
  culprit: string;
  metadata: Record<string, unknown>;
  level: string;
  platform: string;
  logger: string | null;
  status: IssueStatus;
  substatus: string | null;
  is_regression: boolean;
  is_unhandled: boolean;
  first_seen: Date;
  last_seen: Date;
  times_seen: number;
  user_count: number;
  first_release: string | null;
  resolved_at: Date | null;
  assigned_user_id: number | null;
  assigned_team_id: number | null;
  project_slug: string;
  project_name: string;
  project_platform: string | null;
  organization_id: number;
  organization_slug: string;
  assignee_email: string | null;
  assignee_name: string | null;
  assignee_team_slug: string | null;
  assignee_team_name: string | null;
}

/** A stored event; `data` is the normalized event plus title, culprit, metadata, type and hashes. */
export interface EventRow {
  project_id: number;
  issue_id: number;
  event_id: string;
  received_at: Date;
  timestamp: Date;
  level: string;
  environment: string;
  release: string | null;
  title: string;
  message: string;
  user_key: string | null;
  data: Record<string, unknown>;
}

export interface PageWindow {
  limit: number;
  offset: number;
}

/** `organizationIds` undefined: every organization, for the host's own readers (plugins), never for API callers. */
export function selectIssues(knex: Knex, organizationIds: number[] | undefined): Knex.QueryBuilder {
  const query = knex('issues as i')
    .join('projects as p', 'p.id', 'i.project_id')
    .join('organizations as o', 'o.id', 'p.organization_id')
    .leftJoin('users as au', 'au.id', 'i.assigned_user_id')
    .leftJoin('teams as at', 'at.id', 'i.assigned_team_id')
    .select(
      'i.*',
      'p.slug as project_slug',
      'p.name as project_name',
      'p.platform as project_platform',
      'o.id as organization_id',
      'o.slug as organization_slug',
      'au.email as assignee_email',
      'au.name as assignee_name',
      'at.slug as assignee_team_slug',
      'at.name as assignee_team_name',
    );
  if (organizationIds) query.whereIn('p.organization_id', organizationIds);
  return query;
}

export async function findIssueById(
  knex: Knex,
  organizationIds: number[],
  id: number,
): Promise<IssueRow | undefined> {
  return selectIssues(knex, organizationIds).where('i.id', id).first();
}

/** Finds `SLUG-N` among the given organizations' projects; the oldest organization wins a slug clash. */
export async function findIssueByShortId(
  knex: Knex,
  organizationIds: number[],
  projectSlug: string,
  shortId: number,
): Promise<IssueRow | undefined> {
  return selectIssues(knex, organizationIds)
    .whereRaw('lower(p.slug) = lower(?)', [projectSlug])
    .andWhere('i.short_id', shortId)
    .orderBy('o.id')
    .first();
}

/** `SLUG-N` in every organization that has a project of that slug: for the host's own callers (plugins). */
export async function findIssuesByShortIdInAnyOrganization(
  knex: Knex,
  projectSlug: string,
  shortId: number,
): Promise<IssueRow[]> {
  return selectIssues(knex, undefined)
    .whereRaw('lower(p.slug) = lower(?)', [projectSlug])
    .andWhere('i.short_id', shortId)
    .orderBy('i.id');
}

/**
 * Issues by id in whatever organization they are: for the host's own callers (plugins act for the
 * installation), never for API callers, whose reads go through the functions above. Ordered by id.
 */
export async function findIssuesInAnyOrganization(knex: Knex, ids: number[]): Promise<IssueRow[]> {
  if (ids.length === 0) return [];
  return selectIssues(knex, undefined).whereIn('i.id', ids).orderBy('i.id');
}

export async function findIssuesByIds(
  knex: Knex,
  organizationIds: number[],
  ids: number[],
): Promise<IssueRow[]> {
  return selectIssues(knex, organizationIds).whereIn('i.id', ids).orderBy('i.id');
}

export interface EventListOptions extends PageWindow {
  environments?: string[];
}

/** An issue's events, most recently received first (the order the events index serves). */
export async function listIssueEvents(
  knex: Knex,
  issueId: number,
  options: EventListOptions,
): Promise<EventRow[]> {
  const query = knex<EventRow>('events').where('issue_id', issueId);
  if (options.environments && options.environments.length > 0)
    query.whereIn('environment', options.environments);
  return query
    .orderBy([
      { column: 'received_at', order: 'desc' },
      { column: 'event_id', order: 'desc' },
    ])
    .limit(options.limit)
    .offset(options.offset);
}

function edgeEventQuery(knex: Knex, issueId: number, edge: 'latest' | 'oldest') {
  const order = edge === 'latest' ? 'desc' : 'asc';
  return knex<EventRow>('events')
    .where('issue_id', issueId)
    .orderBy([
      { column: 'received_at', order },
      { column: 'event_id', order },
    ]);
}

/** The issue's newest or oldest event by arrival. */
export async function findIssueEdgeEvent(
  knex: Knex,
  issueId: number,
  edge: 'latest' | 'oldest',
): Promise<EventRow | undefined> {
  return edgeEventQuery(knex, issueId, edge).first();
}

/** The release of the issue's newest event (null when it named none), without reading the event's body. */
export async function findLatestEventRelease(knex: Knex, issueId: number): Promise<string | null> {
  const row: Pick<EventRow, 'release'> | undefined = await edgeEventQuery(knex, issueId, 'latest').first(
    'release',
  );
  return row?.release ?? null;
}

export async function findIssueEvent(
  knex: Knex,
  issueId: number,
  eventId: string,
): Promise<EventRow | undefined> {
  return knex<EventRow>('events').where({ issue_id: issueId, event_id: eventId }).first();
}

export async function findProjectEvent(
  knex: Knex,
  projectId: number,
  eventId: string,
): Promise<EventRow | undefined> {
  return knex<EventRow>('events').where({ project_id: projectId, event_id: eventId }).first();
}

/** The ids of the events received just before and just after `event` in its issue. */
export async function findNeighbourEventIds(
  knex: Knex,
  event: Pick<EventRow, 'issue_id' | 'received_at' | 'event_id'>,
): Promise<{ previous: string | null; next: string | null }> {
  const neighbour = async (direction: '<' | '>') => {
    const order = direction === '<' ? 'desc' : 'asc';
    const row = await knex('events')
      .where('issue_id', event.issue_id)
      .whereRaw(`(received_at, event_id) ${direction} (?, ?)`, [event.received_at, event.event_id])
      .orderBy([
        { column: 'received_at', order },
        { column: 'event_id', order },
      ])
      .first('event_id');
    return (row?.event_id as string | undefined) ?? null;
  };
  return { previous: await neighbour('<'), next: await neighbour('>') };
}

export interface TagValueCount {
  key: string;
  value: string;
  times_seen: number;
  first_seen: Date;
  last_seen: Date;
  /** Events counted over every value of the key. */
  key_total: number;
  /** Distinct values of the key. */
  key_values: number;
}

/** For each tag key of the issue, its `topN` most frequent values with the key's totals. */
export async function listIssueTagValues(
  knex: Knex,
  issueId: number,
  topN: number,
): Promise<TagValueCount[]> {
  const { rows } = await knex.raw<{ rows: TagValueCount[] }>(
    `SELECT key, value, times_seen, first_seen, last_seen, key_total::float8 AS key_total, key_values::int AS key_values
       FROM (SELECT tv.*,
                    sum(times_seen) OVER (PARTITION BY key) AS key_total,
                    count(*) OVER (PARTITION BY key) AS key_values,
                    row_number() OVER (PARTITION BY key ORDER BY times_seen DESC, value) AS rank
               FROM issue_tag_values tv WHERE issue_id = ?) ranked
      WHERE rank <= ?
      ORDER BY key, rank`,
    [issueId, topN],
  );
  return rows;
}

export interface EventCountBucket {
  issue_id: number;
  /** Bucket start, epoch seconds. */
  bucket: number;
  count: number;
}

/** Events per issue per `bucketSeconds` since `since`, by arrival time; empty buckets are absent. */
export async function countIssueEvents(
  knex: Knex,
  issueIds: number[],
  since: Date,
  bucketSeconds: number,
): Promise<EventCountBucket[]> {
  if (issueIds.length === 0) return [];
  const { rows } = await knex.raw<{ rows: EventCountBucket[] }>(
    `SELECT issue_id, (floor(extract(epoch FROM received_at) / ?) * ?)::float8 AS bucket, count(*)::int AS count
       FROM events
      WHERE issue_id = ANY(?::int[]) AND received_at >= ?
      GROUP BY 1, 2`,
    [bucketSeconds, bucketSeconds, issueIds, since.toISOString()],
  );
  return rows;
}

/** Every stored tag (key and value) of the given issues, for search indexes built beside Postgres. */
export async function listTagsOfIssues(
  knex: Knex,
  issueIds: number[],
): Promise<{ issue_id: number; key: string; value: string }[]> {
  if (issueIds.length === 0) return [];
  return knex('issue_tag_values')
    .whereIn('issue_id', issueIds)
    .select('issue_id', 'key', 'value')
    .orderBy([{ column: 'issue_id' }, { column: 'key' }, { column: 'value' }]);
}

/** Up to `limit` issue ids after `afterId`, in id order: to walk every issue. */
export async function listIssueIdsAfter(knex: Knex, afterId: number, limit: number): Promise<number[]> {
  const rows: { id: number }[] = await knex('issues')
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .select('id');
  return rows.map((row) => row.id);
}

export async function countAllIssues(knex: Knex): Promise<number> {
  const row = await knex('issues').count<{ count: string | number }[]>('* as count').first();
  return Number(row?.count ?? 0);
}
