import type { Knex } from 'knex';
import type { ProjectKey } from '../accounts';
import { NotFoundError } from '../errors';
import { findIssueById, findIssueByShortId, type IssueRow } from '../issues';
import { callerOrganizations, canSeeProject, whereSlugOrId, type OrganizationAccess } from '../organizations';
import type { ApiCaller } from './auth';

/**
 * Projects, project keys, issues and tokens as the caller may see them, within the organizations
 * the organizations domain says the caller reaches. Anything else answers exactly like something
 * that does not exist, so ids and slugs of other organizations (and of projects a member has no
 * access to) can't be probed.
 */

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

/** The projects the given accesses open, by slug. */
export async function listVisibleProjects(
  knex: Knex,
  accesses: OrganizationAccess[],
  window: { limit: number; offset: number },
): Promise<ProjectRow[]> {
  const query = projectsQuery(knex).where((q) => {
    // An impossible condition keeps an empty list of organizations empty.
    q.whereRaw('false');
    for (const access of accesses) {
      q.orWhere((one) => {
        one.where('p.organization_id', access.organization.id);
        if (access.visibleProjectIds !== undefined) one.whereIn('p.id', access.visibleProjectIds);
      });
    }
  });
  return query
    .orderBy([{ column: 'p.slug' }, { column: 'p.id' }])
    .limit(window.limit)
    .offset(window.offset);
}

export async function findProjectById(knex: Knex, id: number): Promise<ProjectRow | undefined> {
  return projectsQuery(knex).where('p.id', id).first();
}

export async function findVisibleProject(
  knex: Knex,
  access: OrganizationAccess,
  slugOrId: string,
): Promise<ProjectRow> {
  const query = projectsQuery(knex).where('p.organization_id', access.organization.id);
  whereSlugOrId(query, 'p', slugOrId);
  const row: ProjectRow | undefined = await query.first();
  if (!row || !canSeeProject(access, row.id))
    throw new NotFoundError(`Project ${access.organization.slug}/${slugOrId} not found`, 'project_not_found');
  return row;
}

/** `APP-3` → project slug `APP` and number 3; the slug itself may contain dashes. */
export function parseShortId(text: string): { projectSlug: string; shortId: number } | undefined {
  const match = /^(.+)-(\d{1,9})$/.exec(text);
  return match ? { projectSlug: match[1], shortId: Number(match[2]) } : undefined;
}

/**
 * Finds an issue by numeric id or short id in the caller's organizations (or only in `within` when
 * the URL names one), among the projects the caller may see.
 */
export async function findVisibleIssue(
  knex: Knex,
  caller: ApiCaller,
  idOrShortId: string,
  within?: OrganizationAccess,
): Promise<{ access: OrganizationAccess; issue: IssueRow }> {
  const accesses = within ? [within] : await callerOrganizations(knex, caller);
  const organizationIds = accesses.map((a) => a.organization.id);
  const shortId = parseShortId(idOrShortId);
  const issue = /^\d{1,9}$/.test(idOrShortId)
    ? await findIssueById(knex, organizationIds, Number(idOrShortId))
    : shortId
      ? await findIssueByShortId(knex, organizationIds, shortId.projectSlug, shortId.shortId)
      : undefined;
  const access = issue && accesses.find((a) => a.organization.id === issue.organization_id);
  if (!issue || !access || !canSeeProject(access, issue.project_id))
    throw new NotFoundError(`Issue ${idOrShortId} not found`, 'issue_not_found');
  return { access, issue };
}

/** A project's key by its public key (Sentry's key id) or numeric id. */
export async function findProjectKey(knex: Knex, project: ProjectRow, keyId: string): Promise<ProjectKey> {
  const query = knex<ProjectKey>('project_keys').where('project_id', project.id);
  query.where((q) => {
    q.where('public_key', keyId);
    if (/^\d{1,9}$/.test(keyId)) q.orWhere('id', Number(keyId));
  });
  const row = await query.first();
  if (!row) throw new NotFoundError(`Key ${keyId} not found`, 'key_not_found');
  return row;
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
