import type { AuditRow } from '../../audit';
import type { InviteRow, MemberRow, MemberTeam, TeamRow } from '../../organizations';
import type { TokenRow } from '../../tokens';
import { isoDate, isoDateOrNull } from './dates';
import { jsonColumn } from '../../db';

/** Sentry's team summary. */
export function serializeTeam(team: TeamRow, memberCount: number, isMember: boolean) {
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

/** Sentry's organization member; `teams` are the slugs of the member's teams. */
export function serializeMember(member: MemberRow, teams: MemberTeam[]) {
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
export function serializeInvite(invite: InviteRow, now = new Date()) {
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

/** An API token as lists show it: never the token, only its last characters. */
export function serializeToken(token: TokenRow) {
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
export function serializeAuditEntry(row: AuditRow) {
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
