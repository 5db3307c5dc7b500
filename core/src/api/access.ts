import type { Knex } from 'knex';
import type { ProjectKey } from '../accounts';
import { NotFoundError } from '../errors';
import { findIssueById, findIssueByShortId, type IssueRow } from '../issues';
import {
  callerOrganizations,
  canSeeProject,
  type OrganizationAccess,
  type ProjectRow,
} from '../organizations';
import type { ApiCaller } from './auth';

/**
 * Issues and project keys named in a URL, as the caller may see them: within the organizations and
 * projects the organizations domain says the caller reaches. Anything else answers exactly like
 * something that does not exist, so ids of other organizations' things can't be probed.
 */

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
