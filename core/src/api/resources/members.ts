import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import {
  ORGANIZATION_ROLES,
  TEAM_ROLES,
  canAssignRole,
  isOrganizationRole,
  type OrganizationRole,
} from '../../access';
import { hashToken } from '../../accounts';
import { recordAudit } from '../../audit';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors';
import {
  INVITE_COLUMNS,
  membersQuery,
  type InviteRow,
  type MemberRow,
  type OrganizationAccess,
} from '../access';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { serializeInvite, serializeMember } from '../serializers/access';

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

const roleSchema = z.enum(ORGANIZATION_ROLES);

const inviteBody = z.strictObject({
  email: z.email(),
  // Sentry sends `orgRole` (newer) or `role` (older).
  orgRole: roleSchema.optional(),
  role: roleSchema.optional(),
  teams: z.array(z.string()).optional(),
  sendInvite: z.boolean().optional(),
});

const memberUpdateBody = z
  .strictObject({ orgRole: roleSchema.optional(), role: roleSchema.optional() })
  .refine((b) => b.orgRole !== undefined || b.role !== undefined, { message: 'send orgRole' });

const teamMembershipBody = z.strictObject({ teamRole: z.enum(TEAM_ROLES).optional() });

async function teamsOf(knex: Knex, organizationId: number, userIds: number[]) {
  const rows: { user_id: number; slug: string; role: string }[] = await knex('team_members as tm')
    .join('teams as t', 't.id', 'tm.team_id')
    .where('t.organization_id', organizationId)
    .whereIn('tm.user_id', userIds)
    .orderBy('t.slug')
    .select('tm.user_id', 't.slug', 'tm.role');
  return (userId: number) => rows.filter((r) => r.user_id === userId);
}

/** The role the caller acts with when changing roles: a service token may not change them at all. */
function actorRole(access: OrganizationAccess): OrganizationRole {
  if (access.role === null)
    throw new ForbiddenError(
      'Only a member can invite people or change roles, not an organization token',
      'user_required',
    );
  return access.role;
}

function requireAssignable(actor: OrganizationRole, role: string, verb: string): void {
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

export function memberRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;

  async function serializeOne(member: MemberRow) {
    const teams = await teamsOf(knex, member.organization_id, [member.user_id]);
    return serializeMember(member, teams(member.user_id));
  }

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/members/',
      scope: 'member:read',
      resource: 'organization',
      summary: "An organization's members",
      query: z.object(pageParams),
      handler: async ({ ctx, target: { access }, query }) => {
        const rows: MemberRow[] = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          membersQuery(knex, access.organization.id)
            .orderBy([{ column: 'u.email' }, { column: 'm.id' }])
            .limit(window.limit)
            .offset(window.offset),
        );
        const teams = await teamsOf(
          knex,
          access.organization.id,
          rows.map((r) => r.user_id),
        );
        return rows.map((row) => serializeMember(row, teams(row.user_id)));
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/members/:member/',
      scope: 'member:read',
      resource: 'member',
      summary: 'One member, by id or `me`',
      handler: async ({ target }) => serializeOne(target.member),
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/members/:member/',
      scope: 'member:admin',
      resource: 'member',
      summary: "Changes a member's organization role (up to the caller's own; never the last owner's)",
      body: memberUpdateBody,
      handler: async ({ ctx, caller, target: { access, member }, body }) => {
        const actor = actorRole(access);
        const role = (body.orgRole ?? body.role) as OrganizationRole;
        requireAssignable(actor, member.role, 'change a member holding');
        requireAssignable(actor, role, 'grant');
        await knex.transaction(async (trx) => {
          if (role !== 'owner') await requireAnotherOwner(trx, member);
          await trx('organization_members').where({ id: member.id }).update({ role });
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'member.edit',
            target: { type: 'member', id: member.id },
            data: { email: member.email, oldRole: member.role, newRole: role },
          });
        });
        return serializeOne({ ...member, role });
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/members/:member/',
      scope: 'member:admin',
      resource: 'member',
      summary: 'Removes a member from the organization and its teams (never the last owner)',
      handler: async ({ ctx, caller, target: { access, member } }) => {
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
            actor: auditActor(ctx, caller),
            event: 'member.remove',
            target: { type: 'member', id: member.id },
            data: { email: member.email, role: member.role },
          });
        });
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/api/0/organizations/:organization/members/',
      scope: 'member:write',
      resource: 'organization',
      summary: 'Invites someone by email with a role; answers the invitation link once',
      body: inviteBody,
      status: 201,
      handler: async ({ ctx, caller, target: { access }, body }) => {
        const role = body.orgRole ?? body.role ?? 'member';
        requireAssignable(actorRole(access), role, 'invite with');
        const existing = await membersQuery(knex, access.organization.id)
          .whereRaw('lower(u.email) = lower(?)', [body.email])
          .first();
        if (existing) throw new ConflictError(`${body.email} is already a member`, 'already_member');
        const token = randomBytes(32).toString('hex');
        const invite: InviteRow = await knex.transaction(async (trx) => {
          const [row] = await trx('organization_invites')
            .insert({
              organization_id: access.organization.id,
              email: body.email,
              role,
              token_hash: hashToken(token),
              invited_by_user_id: caller.user?.id ?? null,
              expires_at: new Date(Date.now() + INVITE_TTL_MS),
            })
            .returning(INVITE_COLUMNS);
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'member.invite',
            target: { type: 'invite', id: row.id },
            data: { email: body.email, role },
          });
          return row;
        });
        // Shown once: only the token's hash is kept. No mail is sent yet; pass the link on.
        return {
          ...serializeInvite(invite),
          inviteLink: `${publicUrl}/accept/${invite.id}/${token}/`,
          acceptPath: `/api/0/accept-invite/${invite.id}/${token}/`,
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/invited-members/',
      scope: 'member:read',
      resource: 'organization',
      summary: 'Pending invitations (without their links)',
      query: z.object(pageParams),
      handler: async ({ ctx, target: { access }, query }) => {
        const rows: InviteRow[] = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          knex('organization_invites')
            .where('organization_id', access.organization.id)
            .orderBy('id')
            .limit(window.limit)
            .offset(window.offset)
            .select(INVITE_COLUMNS),
        );
        return rows.map((row) => serializeInvite(row));
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/invited-members/:inviteId/',
      scope: 'member:write',
      resource: 'invite',
      summary: 'Revokes an invitation',
      handler: async ({ ctx, caller, target: { access, invite } }) => {
        await knex.transaction(async (trx) => {
          await trx('organization_invites').where({ id: invite.id }).delete();
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'invite.revoke',
            target: { type: 'invite', id: invite.id },
            data: { email: invite.email },
          });
        });
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/api/0/accept-invite/:inviteId/:token/',
      scope: 'org:read',
      resource: 'user',
      summary: 'Accepts an invitation as the signed-in user, who becomes a member with the invited role',
      handler: async ({ ctx, caller, params, target: { user } }) => {
        const notFound = new NotFoundError(
          'This invitation is unknown, revoked or expired',
          'invite_not_found',
        );
        if (!/^\d{1,9}$/.test(params.inviteId)) throw notFound;
        const invite: InviteRow | undefined = await knex('organization_invites')
          .where({ id: Number(params.inviteId), token_hash: hashToken(params.token) })
          .where('expires_at', '>', knex.fn.now())
          .first(INVITE_COLUMNS);
        if (!invite) throw notFound;
        const memberId = await knex.transaction(async (trx) => {
          const existing = await trx('organization_members')
            .where({ organization_id: invite.organization_id, user_id: user.id })
            .first('id');
          if (existing)
            throw new ConflictError('You are already a member of this organization', 'already_member');
          const [row] = await trx('organization_members')
            .insert({ organization_id: invite.organization_id, user_id: user.id, role: invite.role })
            .returning('id');
          await trx('organization_invites').where({ id: invite.id }).delete();
          await recordAudit(trx, {
            organizationId: invite.organization_id,
            actor: auditActor(ctx, caller),
            event: 'member.accept',
            target: { type: 'member', id: row.id },
            data: { email: user.email, invitedEmail: invite.email, role: invite.role },
          });
          return row.id as number;
        });
        const member: MemberRow = await membersQuery(knex, invite.organization_id)
          .where('m.id', memberId)
          .first();
        return serializeOne(member);
      },
    }),
    route({
      method: 'post',
      path: '/api/0/organizations/:organization/members/:member/teams/:team/',
      scope: 'team:write',
      resource: 'teamMember',
      summary: 'Adds a member to a team (or changes their team role)',
      body: teamMembershipBody,
      status: 201,
      handler: async ({ ctx, caller, target: { access, member, team }, body }) => {
        const role = body.teamRole ?? 'contributor';
        await knex.transaction(async (trx) => {
          await trx('team_members')
            .insert({ team_id: team.id, user_id: member.user_id, role })
            .onConflict(['team_id', 'user_id'])
            .merge({ role });
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'member.join-team',
            target: { type: 'member', id: member.id },
            data: { email: member.email, team: team.slug, teamRole: role },
          });
        });
        return serializeOne(member);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/members/:member/teams/:team/',
      scope: 'team:write',
      resource: 'teamMember',
      summary: 'Removes a member from a team',
      handler: async ({ ctx, caller, target: { access, member, team } }) => {
        await knex.transaction(async (trx) => {
          await trx('team_members').where({ team_id: team.id, user_id: member.user_id }).delete();
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'member.leave-team',
            target: { type: 'member', id: member.id },
            data: { email: member.email, team: team.slug },
          });
        });
        return serializeOne(member);
      },
    }),
  ];
}
