import type { Knex } from 'knex';
import type { IntegrationClient } from '@faultline/plugin-sdk';

/** An identity on a provider: a user id, unique inside its workspace (Slack team, GitHub organization). */
export interface ExternalIdentity {
  provider: IntegrationClient;
  workspaceId: string;
  userId: string;
}

export interface IdentityLinkRow {
  id: number;
  organization_id: number;
  organization_slug: string;
  provider: IntegrationClient;
  external_workspace_id: string;
  external_user_id: string;
  user_id: number;
  created_at: Date;
}

function whereIdentity(organizationId: number, identity: ExternalIdentity) {
  return {
    'l.organization_id': organizationId,
    'l.provider': identity.provider,
    'l.external_workspace_id': identity.workspaceId,
    'l.external_user_id': identity.userId,
  };
}

function links(knex: Knex): Knex.QueryBuilder {
  return knex('external_identities as l')
    .join('organizations as o', 'o.id', 'l.organization_id')
    .select('l.*', 'o.slug as organization_slug');
}

export async function findLink(
  knex: Knex,
  organizationId: number,
  identity: ExternalIdentity,
): Promise<IdentityLinkRow | undefined> {
  return links(knex).where(whereIdentity(organizationId, identity)).first();
}

/** A person's links in every organization, oldest first. */
export async function linksOfUser(knex: Knex, userId: number): Promise<IdentityLinkRow[]> {
  return links(knex).where('l.user_id', userId).orderBy('l.id');
}

/**
 * The links of one provider in an organization, for an external user (in one workspace, or any) or
 * for a Faultline user: how a plugin maps people between its provider and Faultline. Oldest first.
 */
export async function findProviderLinks(
  knex: Knex,
  organizationId: number,
  provider: IntegrationClient,
  who: { externalUserId: string; workspaceId?: string } | { userId: number },
): Promise<IdentityLinkRow[]> {
  const query = links(knex).where({ 'l.organization_id': organizationId, 'l.provider': provider });
  if ('userId' in who) query.where('l.user_id', who.userId);
  else {
    query.where('l.external_user_id', who.externalUserId);
    if (who.workspaceId !== undefined) query.where('l.external_workspace_id', who.workspaceId);
  }
  return query.orderBy('l.id');
}

/**
 * An integration's links in one organization, of people still members there (those an
 * integration may act for, say to offer them in Slack's Assign select), oldest first.
 */
export async function linksOfOrganization(
  knex: Knex,
  organizationId: number,
  provider: IntegrationClient,
): Promise<IdentityLinkRow[]> {
  return links(knex)
    .join('organization_members as m', (j) =>
      j.on('m.organization_id', 'l.organization_id').andOn('m.user_id', 'l.user_id'),
    )
    .where({ 'l.organization_id': organizationId, 'l.provider': provider })
    .orderBy('l.id');
}

export async function findLinkOfUser(
  knex: Knex,
  userId: number,
  linkId: number,
): Promise<IdentityLinkRow | undefined> {
  return links(knex).where({ 'l.user_id': userId, 'l.id': linkId }).first();
}

export async function insertLink(
  knex: Knex,
  organizationId: number,
  identity: ExternalIdentity,
  userId: number,
): Promise<number> {
  const [row]: { id: number }[] = await knex('external_identities')
    .insert({
      organization_id: organizationId,
      provider: identity.provider,
      external_workspace_id: identity.workspaceId,
      external_user_id: identity.userId,
      user_id: userId,
    })
    .returning('id');
  return row.id;
}

export async function deleteLink(knex: Knex, linkId: number): Promise<void> {
  await knex('external_identities').where({ id: linkId }).delete();
}
