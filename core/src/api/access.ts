import type { Knex } from 'knex';
import {
  effectiveScopes,
  isOrganizationRole,
  isScope,
  seesAllProjects,
  type OrganizationRole,
  type Scope,
} from '../access';
import type { ProjectKey } from '../accounts';
import { NotFoundError } from '../errors';
import { findIssueById, findIssueByShortId, type IssueRow } from '../issues';
import type { ApiCaller } from './auth';

/**
 * What a caller may see, read from the database: the organizations its user is a member of (or the
 * one a service token is bound to), and inside them the projects its role or teams open. Anything
 * else answers exactly like something that does not exist, so ids and slugs of other organizations
 * (and of projects a member has no access to) can't be probed.
 */

export interface OrganizationRow {
  id: number;
  slug: string;
  name: string;
  require_2fa: boolean;
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

const ORGANIZATION_COLUMNS = ['o.id', 'o.slug', 'o.name', 'o.require_2fa', 'o.created_at'];

/** Sentry accepts a slug or a numeric id in URLs. */
function whereSlugOrId(query: Knex.QueryBuilder, column: string, slugOrId: string): void {
  query.where((q) => {
    q.where(`${column}.slug`, slugOrId);
    if (/^\d{1,9}$/.test(slugOrId)) q.orWhere(`${column}.id`, Number(slugOrId));
  });
}

/** The organizations the caller reaches, with the member's role (null for a service token). */
function callerOrganizationsQuery(knex: Knex, caller: ApiCaller): Knex.QueryBuilder {
  if (caller.organizationId !== null) {
    return knex('organizations as o')
      .where('o.id', caller.organizationId)
      .select(...ORGANIZATION_COLUMNS, knex.raw('NULL as role'));
  }
  return knex('organizations as o')
    .join('organization_members as m', 'm.organization_id', 'o.id')
    .where('m.user_id', caller.user?.id ?? -1)
    .select(...ORGANIZATION_COLUMNS, 'm.role');
}

async function accessOf(
  knex: Knex,
  caller: ApiCaller,
  row: OrganizationRow & { role: string | null },
): Promise<OrganizationAccess> {
  const { role: roleText, ...organization } = row;
  if (roleText === null) {
    // A service token is bound to its organization by construction; its scopes are its own.
    return {
      organization,
      role: null,
      scopes: caller.scopes.filter(isScope),
      visibleProjectIds: undefined,
    };
  }
  // An unknown role (written by hand) grants nothing rather than failing every request.
  const role: OrganizationRole = isOrganizationRole(roleText) ? roleText : 'billing';
  const scopes = isOrganizationRole(roleText) ? effectiveScopes(caller.scopes, role) : [];
  return {
    organization,
    role,
    scopes,
    visibleProjectIds: seesAllProjects(role)
      ? undefined
      : await teamProjectIds(knex, organization.id, caller.user?.id ?? -1),
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

/** Every organization the caller reaches, by slug. */
export async function callerOrganizations(knex: Knex, caller: ApiCaller): Promise<OrganizationAccess[]> {
  const rows = await callerOrganizationsQuery(knex, caller).orderBy([
    { column: 'o.slug' },
    { column: 'o.id' },
  ]);
  return Promise.all(
    rows.map((row: OrganizationRow & { role: string | null }) => accessOf(knex, caller, row)),
  );
}

function organizationNotFound(slugOrId: string): NotFoundError {
  return new NotFoundError(`Organization ${slugOrId} not found`, 'organization_not_found');
}

export async function findCallerOrganization(
  knex: Knex,
  caller: ApiCaller,
  slugOrId: string,
): Promise<OrganizationAccess> {
  const query = callerOrganizationsQuery(knex, caller);
  whereSlugOrId(query, 'o', slugOrId);
  const row: (OrganizationRow & { role: string | null }) | undefined = await query.first();
  if (!row) throw organizationNotFound(slugOrId);
  return accessOf(knex, caller, row);
}

export async function callerOrganizationById(
  knex: Knex,
  caller: ApiCaller,
  id: number,
): Promise<OrganizationAccess> {
  const row: (OrganizationRow & { role: string | null }) | undefined = await callerOrganizationsQuery(
    knex,
    caller,
  )
    .where('o.id', id)
    .first();
  if (!row) throw organizationNotFound(String(id));
  return accessOf(knex, caller, row);
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

export interface TeamRow {
  id: number;
  organization_id: number;
  slug: string;
  name: string;
  created_at: Date;
}

export async function findTeam(knex: Knex, access: OrganizationAccess, slugOrId: string): Promise<TeamRow> {
  const query = knex('teams as t').where('t.organization_id', access.organization.id);
  whereSlugOrId(query, 't', slugOrId);
  const row: TeamRow | undefined = await query.first(
    't.id',
    't.organization_id',
    't.slug',
    't.name',
    't.created_at',
  );
  if (!row) throw new NotFoundError(`Team ${slugOrId} not found`, 'team_not_found');
  return row;
}

export interface MemberRow {
  id: number;
  organization_id: number;
  user_id: number;
  role: string;
  created_at: Date;
  email: string;
  name: string;
}

export function membersQuery(knex: Knex, organizationId: number): Knex.QueryBuilder {
  return knex('organization_members as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where('m.organization_id', organizationId)
    .select('m.id', 'm.organization_id', 'm.user_id', 'm.role', 'm.created_at', 'u.email', 'u.name');
}

/** A member by membership id, or `me` for the caller's own membership. */
export async function findMember(
  knex: Knex,
  caller: ApiCaller,
  access: OrganizationAccess,
  idOrMe: string,
): Promise<MemberRow> {
  const query = membersQuery(knex, access.organization.id);
  if (idOrMe === 'me') query.where('m.user_id', caller.user?.id ?? -1);
  else if (/^\d{1,9}$/.test(idOrMe)) query.where('m.id', Number(idOrMe));
  else query.whereRaw('false');
  const row: MemberRow | undefined = await query.first();
  if (!row) throw new NotFoundError(`Member ${idOrMe} not found`, 'member_not_found');
  return row;
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

export interface InviteRow {
  id: number;
  organization_id: number;
  email: string;
  role: string;
  invited_by_user_id: number | null;
  expires_at: Date;
  created_at: Date;
}

export const INVITE_COLUMNS = [
  'id',
  'organization_id',
  'email',
  'role',
  'invited_by_user_id',
  'expires_at',
  'created_at',
];

export async function findInvite(knex: Knex, access: OrganizationAccess, id: string): Promise<InviteRow> {
  const row: InviteRow | undefined = /^\d{1,9}$/.test(id)
    ? await knex('organization_invites')
        .where({ id: Number(id), organization_id: access.organization.id })
        .first(INVITE_COLUMNS)
    : undefined;
  if (!row) throw new NotFoundError(`Invitation ${id} not found`, 'invite_not_found');
  return row;
}

export interface TokenRow {
  id: number;
  user_id: number | null;
  organization_id: number | null;
  created_by_user_id: number | null;
  name: string;
  scopes: string[];
  token_last_characters: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}

export const TOKEN_COLUMNS = [
  'id',
  'user_id',
  'organization_id',
  'created_by_user_id',
  'name',
  'scopes',
  'token_last_characters',
  'created_at',
  'last_used_at',
  'expires_at',
];

/** An organization's service token, or (without an organization) one of the user's own tokens. */
export async function findToken(
  knex: Knex,
  owner: { organizationId: number } | { userId: number },
  id: string,
): Promise<TokenRow> {
  const where =
    'organizationId' in owner ? { organization_id: owner.organizationId } : { user_id: owner.userId };
  const row: TokenRow | undefined = /^\d{1,9}$/.test(id)
    ? await knex('api_tokens')
        .where({ id: Number(id), ...where })
        .first(TOKEN_COLUMNS)
    : undefined;
  if (!row) throw new NotFoundError(`Token ${id} not found`, 'token_not_found');
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
