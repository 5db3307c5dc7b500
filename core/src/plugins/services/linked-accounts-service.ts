import type { Knex } from 'knex';
import {
  PluginError,
  isIntegrationClient,
  type IdentityToLink,
  type IntegrationClient,
  type LinkedAccountsService,
  type LinkedIdentity,
  type LinkedMember,
  type SignedInUser,
} from '@faultline/plugin-sdk';
import { FaultlineError } from '../../errors';
import { externalId, findProviderLinks, linkIdentity, type IdentityLinkRow } from '../../identities';
import { findMembership, findOrganizationBySlug, findProjectById, type MemberRow } from '../../organizations';
import { hookTransaction } from '../storage';
import { parseId } from './ids';
import { signedInRequests } from './signed-in-requests';

/**
 * `coreServices.linkedAccounts` for one plugin: the linked accounts of the provider the plugin is the
 * integration of (its id, `github` or `slack`), inside the organization of the project asked about.
 * A plugin of another id sees no links, so no plugin reads another integration's identities. Only
 * members count: a link whose user has left the organization links nobody (as for acting-as).
 */
export class PluginLinkedAccountsService implements LinkedAccountsService {
  private readonly provider: IntegrationClient | undefined;

  constructor(
    private readonly root: Knex,
    pluginId: string,
  ) {
    this.provider = isIntegrationClient(pluginId) ? pluginId : undefined;
  }

  private get knex(): Knex {
    return hookTransaction.getStore() ?? this.root;
  }

  async findByExternalUser(
    projectId: string,
    externalUserId: string,
    options: { workspaceId?: string } = {},
  ): Promise<LinkedMember | undefined> {
    const organizationId = await this.organizationOf(projectId);
    if (organizationId === undefined || !this.provider || typeof externalUserId !== 'string')
      return undefined;
    const workspaceId = typeof options?.workspaceId === 'string' ? options.workspaceId : undefined;
    const rows = await findProviderLinks(this.knex, organizationId, this.provider, {
      externalUserId,
      workspaceId,
    });
    for (const row of rows) {
      const member = await findMembership(this.knex, organizationId, { userId: row.user_id });
      if (member) return this.withIdentities(organizationId, member);
    }
    return undefined;
  }

  async member(projectId: string, userId: string): Promise<LinkedMember | undefined> {
    const organizationId = await this.organizationOf(projectId);
    const id = parseId(userId);
    if (organizationId === undefined || id === undefined) return undefined;
    const member = await findMembership(this.knex, organizationId, { userId: id });
    return member && this.withIdentities(organizationId, member);
  }

  async linkSignedInUser(signedIn: SignedInUser | undefined, link: IdentityToLink): Promise<LinkedIdentity> {
    const provider = this.provider;
    if (!provider)
      throw new PluginError('Only an integration plugin (github, slack) may link accounts', {
        code: 'not_an_integration',
      });
    const userId = signedInRequests.userOf(signedIn?.proof);
    if (userId === undefined)
      throw new PluginError(
        'linkSignedInUser needs request.signedIn of a route request that is still being answered',
        { code: 'not_signed_in' },
      );
    try {
      const identity = {
        provider,
        workspaceId: externalId(String(link?.workspaceId), 'workspaceId'),
        userId: externalId(String(link?.externalUserId), 'externalUserId'),
      };
      const organization = await findOrganizationBySlug(this.root, String(link?.organization));
      if (!organization)
        throw new PluginError(`No organization ${String(link?.organization)}`, {
          code: 'organization_not_found',
        });
      const member = await findMembership(this.root, organization.id, { userId });
      const row = await this.root.transaction((trx) =>
        linkIdentity(trx, {
          organizationId: organization.id,
          organizationSlug: organization.slug,
          identity,
          userId,
          // The person did it, through the integration's sign-in flow.
          actor: { userId, email: member?.email ?? null, tokenId: null, ip: null, surface: provider },
        }),
      );
      return {
        organization: organization.slug,
        workspaceId: row.external_workspace_id,
        externalUserId: row.external_user_id,
        userId: String(row.user_id),
      };
    } catch (error) {
      // The plugin may run on another thread, where only an error's code and message arrive.
      if (error instanceof FaultlineError) throw new PluginError(error.message, { code: error.code });
      throw error;
    }
  }

  private async organizationOf(projectId: string): Promise<number | undefined> {
    const id = parseId(projectId);
    return id === undefined ? undefined : (await findProjectById(this.knex, id))?.organization_id;
  }

  private async withIdentities(organizationId: number, member: MemberRow): Promise<LinkedMember> {
    const rows: IdentityLinkRow[] = this.provider
      ? await findProviderLinks(this.knex, organizationId, this.provider, { userId: member.user_id })
      : [];
    return {
      userId: String(member.user_id),
      name: member.name,
      email: member.email,
      identities: rows.map((row) => ({
        workspaceId: row.external_workspace_id,
        userId: row.external_user_id,
      })),
    };
  }
}
