/**
 * The access-control rules, pure: scopes, organization and team roles, what each role may do and
 * see. The REST API enforces them (see api/authorize.ts); nothing here touches the database.
 */
export { ALL_SCOPES, grantsScope, grantedAmong, isScope, type Scope } from './scopes';
export {
  ORGANIZATION_ROLES,
  ROLE_SCOPES,
  TEAM_ROLES,
  canAssignRole,
  effectiveScopes,
  isOrganizationRole,
  roleRank,
  seesAllProjects,
  type OrganizationRole,
  type TeamRole,
} from './roles';
