import type { Knex } from 'knex';
import type { ChangeSurface } from '@faultline/plugin-sdk';

/** What the audit log records; Sentry's event names where Sentry has them. */
export const AUDIT_EVENTS = [
  'org.create',
  'org.edit',
  'org.remove',
  'member.invite',
  'member.accept',
  // Joined just in time, through single sign-on (`data.via`).
  'member.join',
  'member.edit',
  'member.remove',
  'member.join-team',
  'member.leave-team',
  'invite.revoke',
  'team.create',
  'team.edit',
  'team.remove',
  'project.create',
  'project.edit',
  'project.remove',
  'project.add-team',
  'project.remove-team',
  'projectkey.create',
  'projectkey.edit',
  'projectkey.rotate',
  'projectkey.remove',
  'apitoken.create',
  'apitoken.revoke',
  'issue.update',
  // A plugin's issue action was run (`data`: plugin, action, outcome).
  'issue.action',
  'sso.edit',
  // A person confirmed that a provider identity is theirs (password + 2FA, or signed in).
  'sso.link',
  // A person linked a Slack or GitHub identity to their account, confirmed while signed in; unlinked.
  'identity.link',
  'identity.unlink',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** Who acted, from where, and through which surface (the client of the credential used). */
export interface AuditActor {
  userId: number | null;
  email: string | null;
  tokenId: number | null;
  ip: string | null;
  surface: ChangeSurface | null;
}

export interface AuditEntry {
  organizationId: number;
  actor: AuditActor;
  event: AuditEvent;
  target?: { type: string; id: string | number };
  /** Details such as a role change's old and new role, or the surface an issue change came through. Never secrets. */
  data?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  organization_id: number;
  actor_user_id: number | null;
  actor_email: string | null;
  actor_token_id: number | null;
  event: string;
  target_type: string | null;
  target_id: string | null;
  data: Record<string, unknown> | string;
  ip_address: string | null;
  /** Null for entries recorded before surfaces were. */
  surface: ChangeSurface | null;
  created_at: Date;
}

/** Records one entry; pass the transaction that makes the change so both commit or neither does. */
export async function recordAudit(trx: Knex, entry: AuditEntry): Promise<void> {
  await trx('audit_log').insert({
    organization_id: entry.organizationId,
    actor_user_id: entry.actor.userId,
    actor_email: entry.actor.email,
    actor_token_id: entry.actor.tokenId,
    event: entry.event,
    target_type: entry.target?.type ?? null,
    target_id: entry.target === undefined ? null : String(entry.target.id),
    data: JSON.stringify(entry.data ?? {}),
    ip_address: entry.actor.ip,
    surface: entry.actor.surface,
  });
}

/** An organization's audit log, newest first, optionally for one event name. */
export async function listAuditLog(
  knex: Knex,
  organizationId: number,
  options: { event?: string; limit: number; offset: number },
): Promise<AuditRow[]> {
  const query = knex<AuditRow>('audit_log').where('organization_id', organizationId);
  if (options.event) query.where('event', options.event);
  return query.orderBy('id', 'desc').limit(options.limit).offset(options.offset);
}

/** What was done to one thing (e.g. an issue), newest first: the entries naming it as their target. */
export async function listAuditOfTarget(
  knex: Knex,
  organizationId: number,
  target: { type: string; id: string | number },
  limit: number,
): Promise<(AuditRow & { data: Record<string, unknown> })[]> {
  const rows = await knex<AuditRow>('audit_log')
    .where({ organization_id: organizationId, target_type: target.type, target_id: String(target.id) })
    .orderBy('id', 'desc')
    .limit(limit);
  // PGlite hands jsonb back as text, Postgres as an object.
  return rows.map((row) => ({
    ...row,
    data: typeof row.data === 'string' ? (JSON.parse(row.data) as Record<string, unknown>) : row.data,
  }));
}
