import { ALL_SCOPES, grantedAmong, type Scope } from './scopes';

/** Organization roles, weakest first; the order decides who may grant which role. */
export const ORGANIZATION_ROLES = ['billing', 'member', 'admin', 'manager', 'owner'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

export const TEAM_ROLES = ['contributor', 'admin'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

const MEMBER: Scope[] = [
  'org:read',
  'project:read',
  'project:releases',
  'team:read',
  'member:read',
  'event:read',
  'event:write',
  'event:admin',
];
const ADMIN: Scope[] = [...MEMBER, 'project:write', 'project:admin', 'team:write', 'team:admin'];
const MANAGER: Scope[] = [...ADMIN, 'member:write', 'member:admin', 'org:write'];

/**
 * What each organization role may do, after Sentry's default roles (minus scopes Faultline has no
 * use for, such as `alerts:*`).
 */
export const ROLE_SCOPES: Readonly<Record<OrganizationRole, readonly Scope[]>> = {
  billing: ['org:read'],
  member: MEMBER,
  admin: ADMIN,
  manager: MANAGER,
  owner: [...ALL_SCOPES],
};

export function isOrganizationRole(text: string): text is OrganizationRole {
  return (ORGANIZATION_ROLES as readonly string[]).includes(text);
}

export function roleRank(role: OrganizationRole): number {
  return ORGANIZATION_ROLES.indexOf(role);
}

/** A member may give (or take away) only roles up to their own. */
export function canAssignRole(actor: OrganizationRole, role: OrganizationRole): boolean {
  return roleRank(role) <= roleRank(actor);
}

/** Owners, managers and admins see every project; members and billing only their teams' projects. */
export function seesAllProjects(role: OrganizationRole): boolean {
  return roleRank(role) >= roleRank('admin');
}

/**
 * What a token may do in an organization where its user holds `role`: the role's scopes that the
 * token's scopes grant. A session (no token) passes the role's own scopes.
 */
export function effectiveScopes(tokenScopes: readonly string[], role: OrganizationRole): Scope[] {
  return grantedAmong(tokenScopes, ROLE_SCOPES[role]);
}
