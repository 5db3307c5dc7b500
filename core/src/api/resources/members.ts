import type { Knex } from 'knex';
import { z } from 'zod';
import { ORGANIZATION_ROLES, TEAM_ROLES, type OrganizationRole } from '../../access';
import {
  changeMemberRole,
  inviteMember,
  joinTeam,
  leaveTeam,
  listInvites,
  listMembers,
  removeMember,
  revokeInvite,
  teamsOfMembers,
  type MemberRow,
} from '../../organizations';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import {
  sentryInviteSchema,
  sentryMemberSchema,
  sentryNewInviteSchema,
  serializeInvite,
  serializeMember,
} from '../serializers/access';

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

/** One member as the API answers it, with their teams (also the answer of accepting an invitation). */
export async function memberAnswer(
  knex: Knex,
  member: MemberRow,
): Promise<z.input<typeof sentryMemberSchema>> {
  const teams = await teamsOfMembers(knex, member.organization_id, [member.user_id]);
  return serializeMember(member, teams(member.user_id));
}

export function memberRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  const serializeOne = (member: MemberRow) => memberAnswer(knex, member);

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/members/',
      scope: 'member:read',
      resource: 'organization',
      summary: "An organization's members",
      query: z.object(pageParams),
      response: z.array(sentryMemberSchema),
      handler: async ({ ctx, target: { access }, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listMembers(knex, access.organization.id, window),
        );
        const teams = await teamsOfMembers(
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
      response: sentryMemberSchema,
      handler: async ({ target }) => serializeOne(target.member),
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/members/:member/',
      scope: 'member:admin',
      resource: 'member',
      summary: "Changes a member's organization role (up to the caller's own; never the last owner's)",
      body: memberUpdateBody,
      response: sentryMemberSchema,
      handler: async ({ ctx, caller, target: { access, member }, body }) => {
        const role = (body.orgRole ?? body.role) as OrganizationRole;
        return serializeOne(
          await changeMemberRole(knex, { access, member, role, actor: auditActor(ctx, caller) }),
        );
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/members/:member/',
      scope: 'member:admin',
      resource: 'member',
      summary: 'Removes a member from the organization and its teams (never the last owner)',
      response: null,
      handler: async ({ ctx, caller, target: { access, member } }) => {
        await removeMember(knex, { access, member, actor: auditActor(ctx, caller) });
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
      response: sentryNewInviteSchema,
      errors: [409],
      handler: async ({ ctx, caller, target: { access }, body }) => {
        const { invite, token } = await inviteMember(knex, {
          access,
          email: body.email,
          role: body.orgRole ?? body.role ?? 'member',
          invitedByUserId: caller.user?.id ?? null,
          actor: auditActor(ctx, caller),
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
      response: z.array(sentryInviteSchema),
      handler: async ({ ctx, target: { access }, query }) => {
        const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
          listInvites(knex, access.organization.id, window),
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
      response: null,
      handler: async ({ ctx, caller, target: { invite } }) => {
        await revokeInvite(knex, { invite, actor: auditActor(ctx, caller) });
        return undefined;
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
      response: sentryMemberSchema,
      errors: [409],
      handler: async ({ ctx, caller, target: { member, team }, body }) => {
        await joinTeam(knex, {
          member,
          team,
          role: body.teamRole ?? 'contributor',
          actor: auditActor(ctx, caller),
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
      response: sentryMemberSchema,
      handler: async ({ ctx, caller, target: { member, team } }) => {
        await leaveTeam(knex, { member, team, actor: auditActor(ctx, caller) });
        return serializeOne(member);
      },
    }),
  ];
}
