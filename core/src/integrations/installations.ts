import type { Knex } from 'knex';
import type { IntegrationClient } from '@faultline/plugin-sdk';
import { ConflictError, NotFoundError } from '../errors';
import type { Sealer } from '../identities';

/** The purpose installations are sealed under (`secretBoxFor` / `AuthServices.secretBox`). */
export const INSTALLATIONS_PURPOSE = 'integration-installations';

/** A workspace installed through the provider's OAuth flow, with the provider's record of it. */
export interface Installation {
  workspaceId: string;
  /** What the provider's SDK stores (Slack: `@slack/oauth`'s Installation, tokens included). */
  installation: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

interface InstallationRow {
  id: number;
  organization_id: number;
  external_workspace_id: string;
  installation_sealed: string;
  created_at: Date;
  updated_at: Date;
}

/** Where one installation is: its organization, integration and workspace. */
export interface InstallationKey {
  organizationId: number;
  provider: IntegrationClient;
  workspaceId: string;
}

/** Binds a sealed record to its row: copied onto another workspace or organization, it won't open. */
const sealContext = (key: InstallationKey) =>
  `integration-installation:${key.organizationId}:${key.provider}:${key.workspaceId}`;

/**
 * Saves the provider's record of an installation (a first install, or a reinstall with new
 * tokens), sealed at rest. A workspace is connected to one organization: installing it for another
 * answers 409 until it is uninstalled there.
 */
export async function saveInstallation(
  knex: Knex,
  sealer: Sealer,
  key: InstallationKey,
  installation: Record<string, unknown>,
): Promise<void> {
  await knex.transaction(async (trx) => {
    const existing: Pick<InstallationRow, 'organization_id'> | undefined = await trx(
      'integration_installations',
    )
      .where({ provider: key.provider, external_workspace_id: key.workspaceId })
      .forUpdate()
      .first('organization_id');
    if (existing && existing.organization_id !== key.organizationId)
      throw new ConflictError(
        `${key.provider} workspace ${key.workspaceId} is connected to another organization: uninstall it there first`,
        'workspace_connected_elsewhere',
      );
    const sealed = sealer.seal(JSON.stringify(installation), sealContext(key));
    await trx('integration_installations')
      .insert({
        organization_id: key.organizationId,
        provider: key.provider,
        external_workspace_id: key.workspaceId,
        installation_sealed: sealed,
      })
      .onConflict(['provider', 'external_workspace_id'])
      .merge({ installation_sealed: sealed, updated_at: trx.fn.now() });
  });
}

/** The installation of a workspace in the organization (404 when it isn't installed there). */
export async function readInstallation(
  knex: Knex,
  sealer: Sealer,
  key: InstallationKey,
): Promise<Installation> {
  const row: InstallationRow | undefined = await knex('integration_installations')
    .where({
      organization_id: key.organizationId,
      provider: key.provider,
      external_workspace_id: key.workspaceId,
    })
    .first();
  if (!row) throw notInstalled(key);
  return {
    workspaceId: row.external_workspace_id,
    installation: JSON.parse(sealer.open(row.installation_sealed, sealContext(key))) as Record<
      string,
      unknown
    >,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Every workspace of the provider installed in the organization, oldest first (what an
 * integration's plugin posts with, e.g. the Slack alert action's bot token).
 */
export async function listInstallations(
  knex: Knex,
  sealer: Sealer,
  where: Omit<InstallationKey, 'workspaceId'>,
): Promise<Installation[]> {
  const rows: InstallationRow[] = await knex('integration_installations')
    .where({ organization_id: where.organizationId, provider: where.provider })
    .orderBy('id');
  return rows.map((row) => ({
    workspaceId: row.external_workspace_id,
    installation: JSON.parse(
      sealer.open(row.installation_sealed, sealContext({ ...where, workspaceId: row.external_workspace_id })),
    ) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

/** Forgets an installation (the app was uninstalled from the workspace). */
export async function deleteInstallation(knex: Knex, key: InstallationKey): Promise<void> {
  const deleted = await knex('integration_installations')
    .where({
      organization_id: key.organizationId,
      provider: key.provider,
      external_workspace_id: key.workspaceId,
    })
    .delete();
  if (deleted === 0) throw notInstalled(key);
}

function notInstalled(key: InstallationKey): NotFoundError {
  return new NotFoundError(
    `${key.provider} workspace ${key.workspaceId} is not installed in this organization`,
    'installation_not_found',
  );
}
