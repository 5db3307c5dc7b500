import type { Knex } from 'knex';
import { recordAudit, type AuditActor } from '../audit';
import type { OrganizationAccess } from './access';
import { unlessTaken } from './lookup';

/** Creating, changing and deleting organizations; whoever creates one is its first owner. */

export async function createOrganization(
  knex: Knex,
  input: { slug: string; name: string; ownerUserId: number; actor: AuditActor },
): Promise<void> {
  const { slug } = input;
  await knex.transaction(async (trx) => {
    const [row] = await unlessTaken(`Organization ${slug}`, () =>
      trx('organizations').insert({ slug, name: input.name }).returning('id'),
    );
    await trx('organization_members').insert({
      organization_id: row.id,
      user_id: input.ownerUserId,
      role: 'owner',
    });
    await recordAudit(trx, {
      organizationId: row.id,
      actor: input.actor,
      event: 'org.create',
      target: { type: 'organization', id: row.id },
      data: { slug },
    });
  });
}

export interface OrganizationChange {
  name?: string;
  slug?: string;
  require2FA?: boolean;
}

/**
 * Applies the change, audited with what was asked. Whether the actor may turn on required 2FA
 * (they must have it themselves) is the caller's check, made before.
 */
export async function updateOrganization(
  knex: Knex,
  input: { access: OrganizationAccess; change: OrganizationChange; actor: AuditActor },
): Promise<void> {
  const { access, change } = input;
  const patch = {
    ...(change.name === undefined ? {} : { name: change.name }),
    ...(change.slug === undefined ? {} : { slug: change.slug }),
    ...(change.require2FA === undefined ? {} : { require_2fa: change.require2FA }),
  };
  await knex.transaction(async (trx) => {
    if (Object.keys(patch).length > 0)
      await unlessTaken(`Organization ${change.slug}`, () =>
        trx('organizations').where({ id: access.organization.id }).update(patch),
      );
    await recordAudit(trx, {
      organizationId: access.organization.id,
      actor: input.actor,
      event: 'org.edit',
      target: { type: 'organization', id: access.organization.id },
      data: { ...change },
    });
  });
}

/** Deletes the organization with everything in it (its audit log too). */
export async function deleteOrganization(knex: Knex, organizationId: number): Promise<void> {
  await knex('organizations').where({ id: organizationId }).delete();
}
