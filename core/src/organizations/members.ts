import type { Knex } from 'knex';
import { canAssignRole, isOrganizationRole, type OrganizationRole, type TeamRole } from '../access';
import { recordAudit, type AuditActor } from '../audit';
import { ForbiddenError, NotFoundError } from '../errors';
import type { OrganizationAccess } from './access';
import { idFromPath } from './lookup';
import type { TeamRow } from './teams';

/**
 * Members of an organization and the rules for changing them: a role is given or taken only up to
 * the actor's own, only a person (not an organization token) changes roles, and an organization
 * always keeps an owner.
 */

export interface MemberRow {
  id: number;
  organization_id: number;
  user_id: number;
  role: string;
  created_at: Date;
  email: string;
  name: string;
}

/** A member's team, as listed with the member. */
export interface MemberTeam {
  slug: string;
  role: string;
}

function membersQuery(knex: Knex, organizationId: number): Knex.QueryBuilder {
  return knex('organization_members as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where('m.organization_id', organizationId)
    .select('m.id', 'm.organization_id', 'm.user_id', 'm.role', 'm.created_at', 'u.email', 'u.name');
}

/**
 * The membership of a user in an organization, by user id or by email (case-insensitive); undefined
 * when they are not a member. The one membership check for everyone acting for a person.
 */
export async function findMembership(
  knex: Knex,
  organizationId: number,
  who: { userId: number } | { email: string },
): Promise<MemberRow | undefined> {
  const query = membersQuery(knex, organizationId);
  if ('userId' in who) query.where('m.user_id', who.userId);
  else query.whereRaw('lower(u.email) = lower(?)', [who.email]);
  return query.first();
}

/** A member by membership id, or `me` for the caller's own membership. */
export async function findMember(
  knex: Knex,
  access: OrganizationAccess,
  callerUserId: number | undefined,
  idOrMe: string,
): Promise<MemberRow> {
  const query = membersQuery(knex, access.organization.id);
  const id = idFromPath(idOrMe);
  if (idOrMe === 'me') query.where('m.user_id', callerUserId ?? -1);
  else if (id !== undefined) query.where('m.id', id);
  else query.whereRaw('false');
  const row: MemberRow | undefined = await query.first();
  if (!row) throw new NotFoundError(`Member ${idOrMe} not found`, 'member_not_found');
  return row;
}

export async function findMemberById(knex: Knex, organizationId: number, id: number): Promise<MemberRow> {
  return membersQuery(knex, organizationId).where('m.id', id).first();
}

/** A page of members, by email. */
export async function listMembers(
  knex: Knex,
  organizationId: number,
  window: { limit: number; offset: number },
): Promise<MemberRow[]> {
  return membersQuery(knex, organizationId)
    .orderBy([{ column: 'u.email' }, { column: 'm.id' }])
    .limit(window.limit)
    .offset(window.offset);
}

/** The teams (of this organization) of each of the users, by team slug. */
export async function teamsOfMembers(
  knex: Knex,
  organizationId: number,
  userIds: number[],
): Promise<(userId: number) => MemberTeam[]> {
  const rows: { user_id: number; slug: string; role: string }[] = await knex('team_members as tm')
    .join('teams as t', 't.id', 'tm.team_id')
    .where('t.organization_id', organizationId)
    .whereIn('tm.user_id', userIds)
    .orderBy('t.slug')
    .select('tm.user_id', 't.slug', 'tm.role');
  return (userId) => rows.filter((r) => r.user_id === userId).map(({ slug, role }) => ({ slug, role }));
}

/** The role the caller acts with when changing roles: a service token may not change them at all. */
export function actorRole(access: OrganizationAccess): OrganizationRole {
  if (access.role === null)
    throw new ForbiddenError(
      'Only a member can invite people or change roles, not an organization token',
      'user_required',
    );
  return access.role;
}

/** A member may give, take away or invite with only roles up to their own. */
export function requireAssignable(actor: OrganizationRole, role: string, verb: string): void {
  if (!isOrganizationRole(role) || !canAssignRole(actor, role))
    throw new ForbiddenError(`Your role (${actor}) can't ${verb} the role ${role}`, 'role_too_high');
}

/** The last owner can't leave or lose the role: an organization always keeps an owner. */
async function requireAnotherOwner(trx: Knex, member: MemberRow): Promise<void> {
  if (member.role !== 'owner') return;
  const [{ n }] = await trx('organization_members')
    .where({ organization_id: member.organization_id, role: 'owner' })
    .count<{ n: string | number }[]>('* as n');
  if (Number(n) <= 1)
    throw new ForbiddenError(
      'This is the last owner of the organization: make someone else owner first',
      'last_owner',
    );
}

export async function changeMemberRole(
  knex: Knex,
  input: { access: OrganizationAccess; member: MemberRow; role: OrganizationRole; actor: AuditActor },
): Promise<MemberRow> {
  const { access, member, role } = input;
  const actor = actorRole(access);
  requireAssignable(actor, member.role, 'change a member holding');
  requireAssignable(actor, role, 'grant');
  await knex.transaction(async (trx) => {
    if (role !== 'owner') await requireAnotherOwner(trx, member);
    await trx('organization_members').where({ id: member.id }).update({ role });
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'member.edit',
      target: { type: 'member', id: member.id },
      data: { email: member.email, oldRole: member.role, newRole: role },
    });
  });
  return { ...member, role };
}

/** Removes a member from the organization and from its teams (never the last owner). */
export async function removeMember(
  knex: Knex,
  input: { access: OrganizationAccess; member: MemberRow; actor: AuditActor },
): Promise<void> {
  const { access, member } = input;
  requireAssignable(actorRole(access), member.role, 'remove a member holding');
  await knex.transaction(async (trx) => {
    await requireAnotherOwner(trx, member);
    await trx('team_members')
      .where('user_id', member.user_id)
      .whereIn('team_id', trx('teams').where('organization_id', access.organization.id).select('id'))
      .delete();
    await trx('organization_members').where({ id: member.id }).delete();
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'member.remove',
      target: { type: 'member', id: member.id },
      data: { email: member.email, role: member.role },
    });
  });
}

/** Adds a member to a team, or changes their role in it. */
export async function joinTeam(
  knex: Knex,
  input: { member: MemberRow; team: TeamRow; role: TeamRole; actor: AuditActor },
): Promise<void> {
  const { member, team, role } = input;
  await knex.transaction(async (trx) => {
    await trx('team_members')
      .insert({ team_id: team.id, user_id: member.user_id, role })
      .onConflict(['team_id', 'user_id'])
      .merge({ role });
    await recordAudit(trx, {
      organizationId: member.organization_id,
      actor: input.actor,
      event: 'member.join-team',
      target: { type: 'member', id: member.id },
      data: { email: member.email, team: team.slug, teamRole: role },
    });
  });
}

export async function leaveTeam(
  knex: Knex,
  input: { member: MemberRow; team: TeamRow; actor: AuditActor },
): Promise<void> {
  const { member, team } = input;
  await knex.transaction(async (trx) => {
    await trx('team_members').where({ team_id: team.id, user_id: member.user_id }).delete();
    await recordAudit(trx, {
      organizationId: member.organization_id,
      actor: input.actor,
      event: 'member.leave-team',
      target: { type: 'member', id: member.id },
      data: { email: member.email, team: team.slug },
    });
  });
}
