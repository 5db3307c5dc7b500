import type { Knex } from 'knex';
import { isOrganizationRole, type OrganizationRole } from '../../access';
import { BadRequestError } from '../../errors';
import type { SecretBox } from '../secret-box';

/** Roles a just-in-time member may get: never `owner`, which only an owner should hand out. */
export const SSO_DEFAULT_ROLES = ['billing', 'member', 'admin', 'manager'] as const;
export type SsoDefaultRole = (typeof SSO_DEFAULT_ROLES)[number];

/** An organization's provider as the API shows it: everything but the client secret. */
export interface SsoProviderSettings {
  issuer: string;
  clientId: string;
  allowedDomains: string[];
  defaultRole: SsoDefaultRole;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface SsoProvider extends SsoProviderSettings {
  organizationId: number;
  /** Encrypted; `SsoProviders.clientSecret` opens it when the token request needs it. */
  sealedSecret: string;
}

export interface SsoProviderInput {
  issuer: string;
  clientId: string;
  /** Required when creating; omitted on an update, the stored secret stays. */
  clientSecret?: string;
  allowedDomains: string[];
  defaultRole: SsoDefaultRole;
  enabled: boolean;
}

interface ProviderRow {
  organization_id: number;
  issuer: string;
  client_id: string;
  client_secret_encrypted: string;
  allowed_domains: string[];
  default_role: string;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

/** The secret is bound to its organization: a ciphertext copied onto another row does not open. */
const secretContext = (organizationId: number) => `sso-client-secret:org:${organizationId}`;

/** Per-organization OpenID Connect provider settings, client secret encrypted at rest. */
export class SsoProviders {
  constructor(
    private readonly knex: Knex,
    private readonly box: SecretBox,
  ) {}

  async find(organizationId: number, trx: Knex = this.knex): Promise<SsoProvider | undefined> {
    const row: ProviderRow | undefined = await trx('sso_providers')
      .where({ organization_id: organizationId })
      .first();
    return row && toProvider(row);
  }

  clientSecret(provider: SsoProvider): string {
    return this.box.open(provider.sealedSecret, secretContext(provider.organizationId));
  }

  /** Creates or replaces the settings; returns them without the secret. */
  async put(trx: Knex, organizationId: number, input: SsoProviderInput): Promise<SsoProvider> {
    const existing = await this.find(organizationId, trx);
    if (!existing && input.clientSecret === undefined) {
      throw new BadRequestError('clientSecret is required when setting up single sign-on', 'invalid_body');
    }
    const sealed =
      input.clientSecret === undefined
        ? existing?.sealedSecret
        : this.box.seal(input.clientSecret, secretContext(organizationId));
    const values = {
      issuer: input.issuer,
      client_id: input.clientId,
      client_secret_encrypted: sealed,
      allowed_domains: input.allowedDomains.map((d) => d.toLowerCase()),
      default_role: input.defaultRole,
      enabled: input.enabled,
      updated_at: new Date(),
    };
    await trx('sso_providers')
      .insert({ organization_id: organizationId, ...values })
      .onConflict('organization_id')
      .merge(values);
    const saved = await this.find(organizationId, trx);
    if (!saved) throw new Error('SSO settings vanished right after they were saved');
    return saved;
  }

  /** True when there was something to delete. Identities go too: a new provider starts afresh. */
  async delete(trx: Knex, organizationId: number): Promise<boolean> {
    await trx('sso_identities').where({ organization_id: organizationId }).delete();
    const deleted = await trx('sso_providers').where({ organization_id: organizationId }).delete();
    return deleted > 0;
  }
}

/** The settings alone, safe to show and log. */
export function providerSettings(provider: SsoProvider): SsoProviderSettings {
  return {
    issuer: provider.issuer,
    clientId: provider.clientId,
    allowedDomains: provider.allowedDomains,
    defaultRole: provider.defaultRole,
    enabled: provider.enabled,
    createdAt: provider.createdAt,
    updatedAt: provider.updatedAt,
  };
}

function toProvider(row: ProviderRow): SsoProvider {
  const role: OrganizationRole = isOrganizationRole(row.default_role) ? row.default_role : 'member';
  return {
    organizationId: row.organization_id,
    issuer: row.issuer,
    clientId: row.client_id,
    sealedSecret: row.client_secret_encrypted,
    allowedDomains: row.allowed_domains,
    defaultRole: role === 'owner' ? 'member' : role,
    enabled: row.enabled,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
