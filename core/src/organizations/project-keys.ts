import type { Knex } from 'knex';
import { newProjectKeyParts, type ProjectKey } from '../accounts';
import { recordAudit, type AuditActor, type AuditEvent } from '../audit';
import { NotFoundError } from '../errors';
import type { OrganizationAccess } from './access';
import type { ProjectRow } from './projects';

/**
 * A project's client keys (DSNs). Only a key's secret hash is stored: the secret of a new or rotated
 * key is returned once, by the call that made it, and never again. Every change is audited with the
 * public key (which identifies the key) and never the secret.
 */

/** A key's rate limit: at most `count` events per `window` seconds; null lifts it. */
export type KeyRateLimit = { count: number; window: number } | null;

export interface KeyChange {
  name?: string;
  isActive?: boolean;
  /** Absent: unchanged. */
  rateLimit?: KeyRateLimit;
}

/** A key as just made, with the secret the caller sees this once. */
export interface NewProjectKey {
  key: ProjectKey;
  secret: string;
}

function rateLimitColumns(limit: KeyRateLimit | undefined): Partial<ProjectKey> {
  if (limit === undefined) return {};
  return { rate_limit_count: limit?.count ?? null, rate_limit_window: limit?.window ?? null };
}

function audit(
  trx: Knex.Transaction,
  access: OrganizationAccess,
  actor: AuditActor,
  event: AuditEvent,
  key: Pick<ProjectKey, 'id' | 'public_key'>,
  data: Record<string, unknown>,
): Promise<void> {
  return recordAudit(trx, {
    organizationId: access.organization.id,
    actor,
    event,
    target: { type: 'projectkey', id: key.id },
    data: { publicKey: key.public_key, ...data },
  });
}

/** A project's client keys, oldest first; `active` filters on whether they are enabled. */
export async function listProjectKeys(
  knex: Knex,
  projectId: number,
  active: boolean | undefined,
  window: { limit: number; offset: number },
): Promise<ProjectKey[]> {
  const query = knex<ProjectKey>('project_keys').where('project_id', projectId);
  if (active !== undefined) query.where('is_active', active);
  return query.orderBy('id').limit(window.limit).offset(window.offset);
}

/** A project's key by its public key (Sentry's key id) or numeric id. */
export async function findProjectKey(knex: Knex, project: ProjectRow, keyId: string): Promise<ProjectKey> {
  const query = knex<ProjectKey>('project_keys').where('project_id', project.id);
  query.where((q) => {
    q.where('public_key', keyId);
    if (/^\d{1,9}$/.test(keyId)) q.orWhere('id', Number(keyId));
  });
  const row = await query.first();
  if (!row) throw new NotFoundError(`Key ${keyId} not found`, 'key_not_found');
  return row;
}

export async function createProjectKey(
  knex: Knex,
  input: {
    access: OrganizationAccess;
    project: ProjectRow;
    name?: string;
    rateLimit?: KeyRateLimit;
    actor: AuditActor;
  },
): Promise<NewProjectKey> {
  const parts = newProjectKeyParts();
  const key = await knex.transaction(async (trx) => {
    const [row] = await trx<ProjectKey>('project_keys')
      .insert({
        project_id: input.project.id,
        label: input.name ?? 'Default',
        ...parts.columns,
        ...rateLimitColumns(input.rateLimit),
      })
      .returning('*');
    await audit(trx, input.access, input.actor, 'projectkey.create', row, { label: row.label });
    return row;
  });
  return { key, secret: parts.secret };
}

export async function updateProjectKey(
  knex: Knex,
  input: { access: OrganizationAccess; key: ProjectKey; change: KeyChange; actor: AuditActor },
): Promise<ProjectKey> {
  const { key, change } = input;
  const patch: Partial<ProjectKey> = {
    ...(change.name === undefined ? {} : { label: change.name }),
    ...(change.isActive === undefined ? {} : { is_active: change.isActive }),
    ...rateLimitColumns(change.rateLimit),
  };
  return knex.transaction(async (trx) => {
    const [row] =
      Object.keys(patch).length === 0
        ? [key]
        : await trx<ProjectKey>('project_keys').where({ id: key.id }).update(patch).returning('*');
    await audit(trx, input.access, input.actor, 'projectkey.edit', key, { ...change });
    return row ?? key;
  });
}

/** Disables the key and makes a new one with the same name and rate limit. */
export async function rotateProjectKey(
  knex: Knex,
  input: { access: OrganizationAccess; key: ProjectKey; actor: AuditActor },
): Promise<NewProjectKey> {
  const { key } = input;
  const parts = newProjectKeyParts();
  const rotated = await knex.transaction(async (trx) => {
    await trx('project_keys').where({ id: key.id }).update({ is_active: false });
    const [row] = await trx<ProjectKey>('project_keys')
      .insert({
        project_id: key.project_id,
        label: key.label,
        ...parts.columns,
        rate_limit_count: key.rate_limit_count,
        rate_limit_window: key.rate_limit_window,
      })
      .returning('*');
    await audit(trx, input.access, input.actor, 'projectkey.rotate', key, {});
    return row;
  });
  return { key: rotated, secret: parts.secret };
}

export async function deleteProjectKey(
  knex: Knex,
  input: { access: OrganizationAccess; key: ProjectKey; actor: AuditActor },
): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx('project_keys').where({ id: input.key.id }).delete();
    await audit(trx, input.access, input.actor, 'projectkey.remove', input.key, {});
  });
}
