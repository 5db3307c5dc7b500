import type { Knex } from 'knex';
import {
  isIntegrationClient,
  type IntegrationClient,
  type InstallationsService,
  type InstalledWorkspace,
} from '@faultline/plugin-sdk';
import type { Sealer } from '../../identities';
import { listInstallations } from '../../integrations';
import { findProjectById } from '../../organizations';
import { hookTransaction } from '../storage';
import { parseId } from './ids';

/** The bot token in the provider's record (Slack: `@slack/oauth`'s Installation keeps it at `bot.token`). */
function botTokenOf(installation: Record<string, unknown>): string | undefined {
  const bot = installation.bot as { token?: unknown } | undefined;
  return typeof bot?.token === 'string' ? bot.token : undefined;
}

/**
 * `coreServices.installations` for one plugin: the workspaces of the provider the plugin is the
 * integration of (its id), installed in the organization of the project asked about. A plugin of
 * another id, or a server without its key (`sealer` undefined), sees none.
 */
export class PluginInstallationsService implements InstallationsService {
  private readonly provider: IntegrationClient | undefined;

  constructor(
    private readonly root: Knex,
    pluginId: string,
    private readonly sealer: Sealer | undefined,
  ) {
    this.provider = isIntegrationClient(pluginId) ? pluginId : undefined;
  }

  async forProject(projectId: string): Promise<InstalledWorkspace[]> {
    const id = parseId(projectId);
    if (id === undefined || !this.provider || !this.sealer) return [];
    const knex = hookTransaction.getStore() ?? this.root;
    const project = await findProjectById(knex, id);
    if (!project) return [];
    const found = await listInstallations(knex, this.sealer, {
      organizationId: project.organization_id,
      provider: this.provider,
    });
    return found.map((row) => ({ workspaceId: row.workspaceId, botToken: botTokenOf(row.installation) }));
  }
}
