import type { SsoServices } from './flow';

/** What an organization's sign-in page offers besides the password: its provider, by name. */
export interface SsoSignInOption {
  /** How the button names the provider: the host of its issuer (e.g. `login.example.com`). */
  providerName: string;
}

/**
 * Whether the organization `organizationSlug` offers single sign-on now (set up and enabled), for
 * its public sign-in page. An unknown organization answers exactly as one without SSO, so the
 * answer cannot tell which short names exist; nothing else of the settings is revealed.
 */
export async function ssoSignInOption(
  sso: SsoServices,
  organizationSlug: string,
): Promise<SsoSignInOption | undefined> {
  const organization: { id: number } | undefined = await sso
    .knex('organizations')
    .where({ slug: organizationSlug })
    .first('id');
  const provider = organization && (await sso.providers.find(organization.id));
  if (!provider?.enabled) return undefined;
  return { providerName: new URL(provider.issuer).host };
}
