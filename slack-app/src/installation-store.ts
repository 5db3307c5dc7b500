import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type { Faultline } from './faultline';

/** The key an installation is kept under: the enterprise of an organization-wide install, else the team. */
function workspaceOf(query: {
  isEnterpriseInstall?: boolean;
  enterpriseId?: string;
  teamId?: string;
}): string {
  const id = query.isEnterpriseInstall ? query.enterpriseId : query.teamId;
  if (!id) throw new Error('An installation names neither a team nor an enterprise');
  return id;
}

/**
 * Bolt's installation store kept in Faultline, through the API with the app's token: each
 * workspace that installs the app through the OAuth flow is connected to the app's organization,
 * its tokens sealed at rest by Faultline. The app itself stores nothing.
 */
export class FaultlineInstallationStore implements InstallationStore {
  constructor(private readonly faultline: Faultline) {}

  async storeInstallation(installation: Installation): Promise<void> {
    const workspace = workspaceOf({
      isEnterpriseInstall: installation.isEnterpriseInstall,
      enterpriseId: installation.enterprise?.id,
      teamId: installation.team?.id,
    });
    await this.faultline.saveInstallation(workspace, installation as unknown as Record<string, unknown>);
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const found = await this.faultline.installation(workspaceOf(query));
    if (!found) throw new Error(`Slack workspace ${workspaceOf(query)} has not installed the app`);
    return found as unknown as Installation;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.faultline.deleteInstallation(workspaceOf(query));
  }

  /** The bot token of a workspace, or undefined when it hasn't installed the app. */
  async botToken(team: string): Promise<string | undefined> {
    const found = (await this.faultline.installation(team)) as Partial<Installation> | undefined;
    return found?.bot?.token;
  }
}
