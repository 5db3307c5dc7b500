import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { OrganizationRole } from '../access';
import { hashToken } from '../accounts';
import { recordAudit, type AuditActor } from '../audit';
import { ConflictError, GoneError, NotFoundError } from '../errors';
import type { OrganizationAccess } from './access';
import { idFromPath } from './lookup';
import { actorRole, findMemberById, findMembership, requireAssignable, type MemberRow } from './members';

/**
 * Invitations: a member invites an email with a role (up to their own); whoever holds the link,
 * signed in, becomes a member with that role. Only the token's hash is kept.
 */

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

export interface InviteRow {
  id: number;
  organization_id: number;
  email: string;
  role: string;
  invited_by_user_id: number | null;
  expires_at: Date;
  created_at: Date;
}

const INVITE_COLUMNS = [
  'id',
  'organization_id',
  'email',
  'role',
  'invited_by_user_id',
  'expires_at',
  'created_at',
];

export async function findInvite(knex: Knex, access: OrganizationAccess, id: string): Promise<InviteRow> {
  const inviteId = idFromPath(id);
  const row: InviteRow | undefined =
    inviteId === undefined
      ? undefined
      : await knex('organization_invites')
          .where({ id: inviteId, organization_id: access.organization.id })
          .first(INVITE_COLUMNS);
  if (!row) throw new NotFoundError(`Invitation ${id} not found`, 'invite_not_found');
  return row;
}

/** Pending invitations, oldest first. */
export async function listInvites(
  knex: Knex,
  organizationId: number,
  window: { limit: number; offset: number },
): Promise<InviteRow[]> {
  return knex('organization_invites')
    .where('organization_id', organizationId)
    .orderBy('id')
    .limit(window.limit)
    .offset(window.offset)
    .select(INVITE_COLUMNS);
}

/** Creates an invitation; the token comes back only here (the link is shown once). */
export async function inviteMember(
  knex: Knex,
  input: {
    access: OrganizationAccess;
    email: string;
    role: OrganizationRole;
    invitedByUserId: number | null;
    actor: AuditActor;
  },
): Promise<{ invite: InviteRow; token: string }> {
  const { access, email, role } = input;
  requireAssignable(actorRole(access), role, 'invite with');
  if (await findMembership(knex, access.organization.id, { email }))
    throw new ConflictError(`${email} is already a member`, 'already_member');
  const token = randomBytes(32).toString('hex');
  const invite: InviteRow = await knex.transaction(async (trx) => {
    const [row] = await trx('organization_invites')
      .insert({
        organization_id: access.organization.id,
        email,
        role,
        token_hash: hashToken(token),
        invited_by_user_id: input.invitedByUserId,
        expires_at: new Date(Date.now() + INVITE_TTL_MS),
      })
      .returning(INVITE_COLUMNS);
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'member.invite',
      target: { type: 'invite', id: row.id },
      data: { email, role },
    });
    return row;
  });
  return { invite, token };
}

export async function revokeInvite(
  knex: Knex,
  input: { invite: InviteRow; actor: AuditActor },
): Promise<void> {
  const { invite } = input;
  await knex.transaction(async (trx) => {
    await trx('organization_invites').where({ id: invite.id }).delete();
    await recordAudit(trx, {
      organizationId: invite.organization_id,
      actor: input.actor,
      event: 'invite.revoke',
      target: { type: 'invite', id: invite.id },
      data: { email: invite.email },
    });
  });
}

/** What an invitation link offers, shown before anyone accepts it. */
export interface InviteOffer {
  invite: InviteRow;
  organization: { id: number; slug: string; name: string };
}

/**
 * The invitation behind a link (its id and token). A revoked invitation is deleted, so it can't be
 * told from a mistyped link: both are 404, in words saying either may be the case. An expired one
 * is still there: 410, so the person knows to ask for a new link rather than look for a typo.
 */
export async function openInvite(
  knex: Knex,
  link: { inviteId: string; token: string },
  now = new Date(),
): Promise<InviteOffer> {
  const notFound = new NotFoundError(
    'This invitation link is not valid: it was revoked, already accepted, or copied incompletely. Ask the organization for a new one',
    'invite_not_found',
  );
  const inviteId = idFromPath(link.inviteId);
  if (inviteId === undefined) throw notFound;
  const row: (InviteRow & { organization_slug: string; organization_name: string }) | undefined = await knex(
    'organization_invites as i',
  )
    .join('organizations as o', 'o.id', 'i.organization_id')
    .where({ 'i.id': inviteId, 'i.token_hash': hashToken(link.token) })
    .first(
      ...INVITE_COLUMNS.map((c) => `i.${c}`),
      'o.slug as organization_slug',
      'o.name as organization_name',
    );
  if (!row) throw notFound;
  if (new Date(row.expires_at).getTime() <= now.getTime())
    throw new GoneError(
      `This invitation to ${row.organization_name} expired: ask the organization for a new one`,
      'invite_expired',
    );
  const { organization_slug: slug, organization_name: name, ...invite } = row;
  return { invite, organization: { id: invite.organization_id, slug, name } };
}

/** The signed-in user takes the invitation (see `openInvite` for the links that fail). */
export async function acceptInvite(
  knex: Knex,
  input: {
    inviteId: string;
    token: string;
    user: { id: number; email: string };
    actor: AuditActor;
  },
): Promise<MemberRow> {
  const { user } = input;
  const { invite } = await openInvite(knex, input);
  const memberId = await knex.transaction(async (trx) => {
    const existing = await trx('organization_members')
      .where({ organization_id: invite.organization_id, user_id: user.id })
      .first('id');
    if (existing) throw new ConflictError('You are already a member of this organization', 'already_member');
    const [row] = await trx('organization_members')
      .insert({ organization_id: invite.organization_id, user_id: user.id, role: invite.role })
      .returning('id');
    // Deleted only if still there: of two acceptances racing, one wins.
    const taken = await trx('organization_invites').where({ id: invite.id }).delete();
    if (!taken) throw new NotFoundError('This invitation was just accepted or revoked', 'invite_not_found');
    await recordAudit(trx, {
      organizationId: invite.organization_id,
      actor: input.actor,
      event: 'member.accept',
      target: { type: 'member', id: row.id },
      data: { email: user.email, invitedEmail: invite.email, role: invite.role },
    });
    return row.id as number;
  });
  return findMemberById(knex, invite.organization_id, memberId);
}
