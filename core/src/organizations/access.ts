import type { Knex } from 'knex';
import {
  effectiveScopes,
  isOrganizationRole,
  isScope,
  seesAllProjects,
  type OrganizationRole,
  type Scope,
} from '../access';
import type { Organization } from '../accounts';
import { NotFoundError } from '../errors';
import { whereSlugOrId } from './lookup';

/**
 * What a caller may see, read from the database: the organizations its user is a member of (or the
 * one a service token is bound to), and inside them the projects its role or teams open. Anything
 * else answers exactly like something that does not exist, so ids and slugs of other organizations
 * (and of projects a member has no access to) can't be probed. The REST API and every other caller
 * acting for a person ask here; nobody computes membership or visibility on their own.
 */

export interface OrganizationRow extends Organization {
  require_2fa: boolean;
}

/** Who is asking: a user (with the scopes of their token or session), or an organization's token. */
export interface Principal {
  user: { id: number } | null;
  /**
   * The one organization the credential is bound to: an organization service token's (no user),
   * or, with a user, an integration's acting for that linked member, who then reaches only it.
   */
  organizationId: number | null;
  /** The credential's own scopes, before the member's role narrows them. */
  scopes: readonly string[];
}

/** The caller's standing in one organization. */
export interface OrganizationAccess {
  organization: OrganizationRow;
  /** The member's role; null for an organization service token. */
  role: OrganizationRole | null;
  /** What the caller may do here: its token's scopes ∩ its role's scopes. */
  scopes: Scope[];
  /** The projects the caller may see; undefined when it sees all of the organization's projects. */
  visibleProjectIds: number[] | undefined;
}

type OrganizationWithRole = OrganizationRow & { role: string | null };

const ORGANIZATION_COLUMNS = ['o.id', 'o.slug', 'o.name', 'o.require_2fa', 'o.created_at'];

/** The organizations the principal reaches, with the member's role (null for a service token). */
function reachableOrganizations(knex: Knex, principal: Principal): Knex.QueryBuilder {
  if (principal.organizationId !== null && principal.user === null) {
    return knex('organizations as o')
      .where('o.id', principal.organizationId)
      .select(...ORGANIZATION_COLUMNS, knex.raw('NULL as role'));
  }
  const query = knex('organizations as o')
    .join('organization_members as m', 'm.organization_id', 'o.id')
    .where('m.user_id', principal.user?.id ?? -1)
    .select(...ORGANIZATION_COLUMNS, 'm.role');
  if (principal.organizationId !== null) query.where('o.id', principal.organizationId);
  return query;
}

async function accessOf(
  knex: Knex,
  principal: Principal,
  row: OrganizationWithRole,
): Promise<OrganizationAccess> {
  const { role: roleText, ...organization } = row;
  if (roleText === null) {
    // A service token is bound to its organization by construction; its scopes are its own.
    return {
      organization,
      role: null,
      scopes: principal.scopes.filter(isScope),
      visibleProjectIds: undefined,
    };
  }
  // An unknown role (written by hand) grants nothing rather than failing every request.
  const role: OrganizationRole = isOrganizationRole(roleText) ? roleText : 'billing';
  const scopes = isOrganizationRole(roleText) ? effectiveScopes(principal.scopes, role) : [];
  return {
    organization,
    role,
    scopes,
    visibleProjectIds: seesAllProjects(role)
      ? undefined
      : await teamProjectIds(knex, organization.id, principal.user?.id ?? -1),
  };
}

/** The projects of the organization that belong to a team the user is on. */
async function teamProjectIds(knex: Knex, organizationId: number, userId: number): Promise<number[]> {
  const rows: { id: number }[] = await knex('projects as p')
    .where('p.organization_id', organizationId)
    .whereExists((q) =>
      q
        .select(knex.raw('1'))
        .from('project_teams as pt')
        .join('team_members as tm', 'tm.team_id', 'pt.team_id')
        .whereRaw('pt.project_id = p.id')
        .andWhere('tm.user_id', userId),
    )
    .select('p.id');
  return rows.map((r) => r.id);
}

export function canSeeProject(access: OrganizationAccess, projectId: number): boolean {
  return access.visibleProjectIds === undefined || access.visibleProjectIds.includes(projectId);
}

/**
 * The projects an organization-wide read covers: those asked for with `?project=` (none, or `-1`:
 * all), narrowed to what the caller may see, so a member only ever reaches their teams' projects.
 * Undefined means every project of the organization.
 */
export function projectsInScope(access: OrganizationAccess, requested: number[]): number[] | undefined {
  const asked = requested.length === 0 || requested.includes(-1) ? undefined : requested;
  if (access.visibleProjectIds === undefined) return asked;
  return (asked ?? access.visibleProjectIds).filter((id) => canSeeProject(access, id));
}

/** Every organization the principal reaches, by slug. */
export async function callerOrganizations(knex: Knex, principal: Principal): Promise<OrganizationAccess[]> {
  const rows: OrganizationWithRole[] = await reachableOrganizations(knex, principal).orderBy([
    { column: 'o.slug' },
    { column: 'o.id' },
  ]);
  return Promise.all(rows.map((row) => accessOf(knex, principal, row)));
}

function organizationNotFound(slugOrId: string): NotFoundError {
  return new NotFoundError(`Organization ${slugOrId} not found`, 'organization_not_found');
}

export async function findCallerOrganization(
  knex: Knex,
  principal: Principal,
  slugOrId: string,
): Promise<OrganizationAccess> {
  const query = reachableOrganizations(knex, principal);
  whereSlugOrId(query, 'o', slugOrId);
  const row: OrganizationWithRole | undefined = await query.first();
  if (!row) throw organizationNotFound(slugOrId);
  return accessOf(knex, principal, row);
}

export async function callerOrganizationById(
  knex: Knex,
  principal: Principal,
  id: number,
): Promise<OrganizationAccess> {
  const row: OrganizationWithRole | undefined = await reachableOrganizations(knex, principal)
    .where('o.id', id)
    .first();
  if (!row) throw organizationNotFound(String(id));
  return accessOf(knex, principal, row);
}
