/**
 * Organizations, their members, teams, invitations and projects: the tables and the rules (who reaches what,
 * who may grant which role, the last owner stays). `api/` and the plugin services call these.
 */
export {
  callerOrganizations,
  callerOrganizationById,
  canSeeProject,
  findCallerOrganization,
  projectsInScope,
  type OrganizationAccess,
  type OrganizationRow,
  type Principal,
} from './access';
export {
  changeMemberRole,
  findMember,
  findMembership,
  joinTeam,
  leaveTeam,
  listMembers,
  removeMember,
  teamsOfMembers,
  type MemberRow,
  type MemberTeam,
} from './members';
export {
  acceptInvite,
  findInvite,
  inviteMember,
  listInvites,
  openInvite,
  revokeInvite,
  type InviteOffer,
  type InviteRow,
} from './invites';
export {
  createTeam,
  deleteTeam,
  findTeam,
  listTeams,
  teamMemberCounts,
  updateTeam,
  type TeamRow,
} from './teams';
export {
  createOrganization,
  deleteOrganization,
  updateOrganization,
  type OrganizationChange,
} from './organizations';
export {
  addProjectTeam,
  createProject,
  deleteProject,
  findProjectById,
  findVisibleProject,
  listVisibleProjects,
  removeProjectTeam,
  updateProject,
  type ProjectRow,
} from './projects';
export {
  createProjectKey,
  deleteProjectKey,
  findProjectKey,
  listProjectKeys,
  rotateProjectKey,
  updateProjectKey,
  type KeyChange,
  type KeyRateLimit,
  type NewProjectKey,
} from './project-keys';
export { findOrganizationBySlug, idFromPath, slugify, unlessTaken, whereSlugOrId } from './lookup';
