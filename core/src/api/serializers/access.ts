import { z } from 'zod';
import { CHANGE_SURFACES } from '../../changes';
import { CLIENTS } from '@faultline/plugin-sdk';
import { AUDIT_EVENTS, type AuditRow } from '../../audit';
import type { InviteRow, MemberRow, MemberTeam, TeamRow } from '../../organizations';
import type { TokenRow } from '../../tokens';
import { isoDate, isoDateOrNull } from './dates';
import { jsonColumn } from '../../db';

/** Sentry's team summary. */
export const sentryTeamSchema = z
  .strictObject({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    dateCreated: z.iso.datetime(),
    isMember: z.boolean(),
    hasAccess: z.boolean(),
    isPending: z.boolean(),
    memberCount: z.number().int(),
    avatar: z.strictObject({ avatarType: z.literal('letter_avatar'), avatarUuid: z.null() }),
  })
  .meta({ id: 'Team' });

export function serializeTeam(
  team: TeamRow,
  memberCount: number,
  isMember: boolean,
): z.infer<typeof sentryTeamSchema> {
  return {
    id: String(team.id),
    slug: team.slug,
    name: team.name,
    dateCreated: isoDate(team.created_at),
    isMember,
    hasAccess: true,
    isPending: false,
    memberCount,
    avatar: { avatarType: 'letter_avatar', avatarUuid: null },
  };
}

const memberUserSchema = z.strictObject({ id: z.string(), email: z.string(), name: z.string() });

/** Sentry's organization member; `teams` are the slugs of the member's teams. */
export const sentryMemberSchema = z
  .strictObject({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    user: memberUserSchema,
    role: z.string(),
    orgRole: z.string(),
    roleName: z.string(),
    pending: z.literal(false),
    expired: z.boolean(),
    dateCreated: z.iso.datetime(),
    teams: z.array(z.string()),
    teamRoles: z.array(z.strictObject({ teamSlug: z.string(), role: z.string() })),
  })
  .meta({ id: 'Member' });

export function serializeMember(member: MemberRow, teams: MemberTeam[]): z.infer<typeof sentryMemberSchema> {
  return {
    id: String(member.id),
    email: member.email,
    name: member.name || member.email,
    user: { id: String(member.user_id), email: member.email, name: member.name || member.email },
    role: member.role,
    orgRole: member.role,
    roleName: member.role.charAt(0).toUpperCase() + member.role.slice(1),
    pending: false,
    expired: false,
    dateCreated: isoDate(member.created_at),
    teams: teams.map((t) => t.slug),
    teamRoles: teams.map((t) => ({ teamSlug: t.slug, role: t.role })),
  };
}

/** An invitation, shaped like Sentry's pending member; never with its token. */
export const sentryInviteSchema = z
  .strictObject({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    user: z.null(),
    role: z.string(),
    orgRole: z.string(),
    pending: z.literal(true),
    expired: z.boolean(),
    dateCreated: z.iso.datetime(),
    dateExpires: z.iso.datetime(),
    teams: z.array(z.string()),
  })
  .meta({ id: 'Invite' });

/** An invitation just made: the one answer with its link (only the token's hash is kept). */
export const sentryNewInviteSchema = sentryInviteSchema
  .extend({ inviteLink: z.string(), acceptPath: z.string() })
  .meta({ id: 'NewInvite' });

export function serializeInvite(invite: InviteRow, now = new Date()): z.infer<typeof sentryInviteSchema> {
  return {
    id: String(invite.id),
    email: invite.email,
    name: invite.email,
    user: null,
    role: invite.role,
    orgRole: invite.role,
    pending: true,
    expired: invite.expires_at.getTime() <= now.getTime(),
    dateCreated: isoDate(invite.created_at),
    dateExpires: isoDate(invite.expires_at),
    teams: [],
  };
}

const tokenFields = {
  id: z.string(),
  name: z.string(),
  client: z.enum(CLIENTS).describe("Who the token was issued to: Faultline's addition to Sentry's shape"),
  scopes: z.array(z.string()),
  tokenLastCharacters: z.string(),
  dateCreated: z.iso.datetime(),
  dateLastUsed: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
};

/** An API token as lists show it: never the token, only its last characters. */
export const sentryTokenSchema = z.strictObject(tokenFields).meta({ id: 'Token' });

/** A token just made: the one answer that carries the token itself. */
export const sentryNewTokenSchema = z
  .strictObject({ ...tokenFields, token: z.string() })
  .meta({ id: 'NewToken' });

export function serializeToken(token: TokenRow): z.infer<typeof sentryTokenSchema> {
  return {
    id: String(token.id),
    name: token.name,
    /** Who the token was issued to (`api`, `vscode`, `slack`, …): Faultline's addition to Sentry's shape. */
    client: token.client,
    scopes: token.scopes,
    tokenLastCharacters: token.token_last_characters,
    dateCreated: isoDate(token.created_at),
    dateLastUsed: isoDateOrNull(token.last_used_at),
    expiresAt: isoDateOrNull(token.expires_at),
  };
}

/** Sentry's audit log entry. */
export const sentryAuditEntrySchema = z
  .strictObject({
    id: z.string(),
    actor: z
      .strictObject({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() })
      .nullable(),
    actorTokenId: z.string().nullable(),
    event: z.string().describe(`One of ${AUDIT_EVENTS.join(', ')}`),
    ipAddress: z.string().nullable(),
    surface: z
      .enum(CHANGE_SURFACES)
      .nullable()
      .describe("The client of the credential that acted (web, api, slack…): Faultline's addition"),
    targetObject: z.string().nullable(),
    targetType: z.string().nullable(),
    data: z.unknown(),
    dateCreated: z.iso.datetime(),
  })
  .meta({ id: 'AuditEntry' });

export function serializeAuditEntry(row: AuditRow): z.infer<typeof sentryAuditEntrySchema> {
  return {
    id: String(row.id),
    actor:
      row.actor_user_id === null
        ? null
        : { id: String(row.actor_user_id), email: row.actor_email, name: row.actor_email },
    actorTokenId: row.actor_token_id === null ? null : String(row.actor_token_id),
    event: row.event,
    ipAddress: row.ip_address,
    /** The client of the credential that acted (`web`, `api`, `slack`, …); Faultline's addition. */
    surface: row.surface,
    targetObject: row.target_id,
    targetType: row.target_type,
    data: jsonColumn<unknown>(row.data),
    dateCreated: isoDate(row.created_at),
  };
}
