import type { Knex } from 'knex';
import { NotFoundError } from '../errors';
import {
  callerOrganizations,
  canSeeProject,
  type OrganizationAccess,
  type Principal,
} from '../organizations';
import { parseShortId } from './types';
import { findIssueById, findIssueByShortId, type IssueRow } from './queries';

/**
 * Finds an issue by numeric id or short id (`APP-3`) in the principal's organizations (or only in
 * `within` when the caller named one), among the projects the organizations domain says the
 * principal sees. Anything else is "not found", exactly like an id that doesn't exist, so ids of
 * other organizations' issues can't be probed.
 */
export async function findVisibleIssue(
  knex: Knex,
  principal: Principal,
  idOrShortId: string,
  within?: OrganizationAccess,
): Promise<{ access: OrganizationAccess; issue: IssueRow }> {
  const accesses = within ? [within] : await callerOrganizations(knex, principal);
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
