import type { Knex } from 'knex';
import type { ProjectKey } from '../accounts';
import { NotFoundError } from '../errors';
import { findIssueById, findIssueByShortId, type IssueRow } from '../issues';

/**
 * What a caller may see: the organizations their user is a member of, and everything inside them.
 * Anything else answers exactly like something that does not exist, so ids and slugs of other
 * organizations can't be probed.
 */

export interface OrganizationRow {
  id: number;
  slug: string;
  name: string;
  created_at: Date;
}

export interface ProjectRow {
  id: number;
  organization_id: number;
  slug: string;
  name: string;
  platform: string | null;
  created_at: Date;
  organization_slug: string;
  organization_name: string;
  /** When the project's first issue was first seen; null before any event. */
  first_event: Date | null;
}

function memberOrganizationsQuery(knex: Knex, userId: number): Knex.QueryBuilder {
  return knex('organizations as o')
    .join('organization_members as m', 'm.organization_id', 'o.id')
    .where('m.user_id', userId);
}

export async function listMemberOrganizations(
  knex: Knex,
  userId: number,
  window: { limit: number; offset: number },
): Promise<OrganizationRow[]> {
  return memberOrganizationsQuery(knex, userId)
    .select('o.id', 'o.slug', 'o.name', 'o.created_at')
    .orderBy([{ column: 'o.slug' }, { column: 'o.id' }])
    .limit(window.limit)
    .offset(window.offset);
}

export async function memberOrganizationIds(knex: Knex, userId: number): Promise<number[]> {
  const rows: { id: number }[] = await memberOrganizationsQuery(knex, userId).select('o.id');
  return rows.map((r) => r.id);
}

/** Sentry accepts an organization's slug or its numeric id in URLs. */
function whereSlugOrId(query: Knex.QueryBuilder, column: string, slugOrId: string): void {
  query.where((q) => {
    q.where(`${column}.slug`, slugOrId);
    if (/^\d{1,9}$/.test(slugOrId)) q.orWhere(`${column}.id`, Number(slugOrId));
  });
}

export async function findMemberOrganization(
  knex: Knex,
  userId: number,
  slugOrId: string,
): Promise<OrganizationRow> {
  const query = memberOrganizationsQuery(knex, userId).select('o.id', 'o.slug', 'o.name', 'o.created_at');
  whereSlugOrId(query, 'o', slugOrId);
  const row: OrganizationRow | undefined = await query.first();
  if (!row) throw new NotFoundError(`Organization ${slugOrId} not found`, 'organization_not_found');
  return row;
}

function projectsQuery(knex: Knex): Knex.QueryBuilder {
  return knex('projects as p')
    .join('organizations as o', 'o.id', 'p.organization_id')
    .select(
      'p.id',
      'p.organization_id',
      'p.slug',
      'p.name',
      'p.platform',
      'p.created_at',
      'o.slug as organization_slug',
      'o.name as organization_name',
      knex.raw('(SELECT min(first_seen) FROM issues WHERE issues.project_id = p.id) AS first_event'),
    );
}

/** Projects of the given organizations, by slug. */
export async function listProjects(
  knex: Knex,
  organizationIds: number[],
  window: { limit: number; offset: number },
): Promise<ProjectRow[]> {
  return projectsQuery(knex)
    .whereIn('p.organization_id', organizationIds)
    .orderBy([{ column: 'p.slug' }, { column: 'p.id' }])
    .limit(window.limit)
    .offset(window.offset);
}

export async function findMemberProject(
  knex: Knex,
  userId: number,
  organizationSlugOrId: string,
  projectSlugOrId: string,
): Promise<ProjectRow> {
  const organization = await findMemberOrganization(knex, userId, organizationSlugOrId);
  const query = projectsQuery(knex).where('p.organization_id', organization.id);
  whereSlugOrId(query, 'p', projectSlugOrId);
  const row: ProjectRow | undefined = await query.first();
  if (!row)
    throw new NotFoundError(
      `Project ${organizationSlugOrId}/${projectSlugOrId} not found`,
      'project_not_found',
    );
  return row;
}

/** `APP-3` → project slug `APP` and number 3; the slug itself may contain dashes. */
export function parseShortId(text: string): { projectSlug: string; shortId: number } | undefined {
  const match = /^(.+)-(\d{1,9})$/.exec(text);
  return match ? { projectSlug: match[1], shortId: Number(match[2]) } : undefined;
}

/**
 * Finds an issue by numeric id or short id among the caller's organizations (or only in
 * `organizationId` when the URL names one).
 */
export async function findMemberIssue(
  knex: Knex,
  userId: number,
  idOrShortId: string,
  organizationId?: number,
): Promise<IssueRow> {
  const organizationIds =
    organizationId === undefined ? await memberOrganizationIds(knex, userId) : [organizationId];
  const shortId = parseShortId(idOrShortId);
  const issue = /^\d{1,9}$/.test(idOrShortId)
    ? await findIssueById(knex, organizationIds, Number(idOrShortId))
    : shortId
      ? await findIssueByShortId(knex, organizationIds, shortId.projectSlug, shortId.shortId)
      : undefined;
  if (!issue) throw new NotFoundError(`Issue ${idOrShortId} not found`, 'issue_not_found');
  return issue;
}

/** A project's client keys, oldest first; `active` filters on whether they are enabled. */
export async function listProjectKeys(
  knex: Knex,
  projectId: number,
  active: boolean | undefined,
  window: { limit: number; offset: number },
): Promise<ProjectKey[]> {
  const query = knex('project_keys').where('project_id', projectId);
  if (active !== undefined) query.where('is_active', active);
  return query.orderBy('id').limit(window.limit).offset(window.offset);
}
