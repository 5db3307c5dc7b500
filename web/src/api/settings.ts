/**
 * The REST calls of the settings pages (project keys, tokens, the caller's access), through the
 * generated client like every other call. Kept apart from `faultline.ts` so the settings pages and
 * the issue pages each grow their own file.
 */
import type { Schema } from '@faultline/api-client';
import { call, client } from './http';

export type OrganizationDetails = Awaited<ReturnType<typeof organizationDetails>>;
export type Scope = OrganizationDetails['access'][number];
export type ProjectKey = Awaited<ReturnType<typeof projectKeys>>[number];
export type Token = Schema<'Token'>;
export type NewToken = Schema<'NewToken'>;
export interface RateLimit {
  count: number;
  window: number;
}

/** One organization with the caller's scopes there (`access`) and role: what the pages may offer. */
export async function organizationDetails(organization: string) {
  return call(client.GET('/api/0/organizations/{organization}/', { params: { path: { organization } } }));
}

export async function project(organization: string, project: string) {
  return call(
    client.GET('/api/0/projects/{organization}/{project}/', {
      params: { path: { organization, project } },
    }),
  );
}

/** The project's client keys; a project has a handful, so one page of 100 shows them all. */
export async function projectKeys(organization: string, project: string) {
  return call(
    client.GET('/api/0/projects/{organization}/{project}/keys/', {
      params: { path: { organization, project }, query: { per_page: 100 } },
    }),
  );
}

export async function createProjectKey(
  organization: string,
  project: string,
  body: { name?: string; rateLimit?: RateLimit | null },
) {
  return call(
    client.POST('/api/0/projects/{organization}/{project}/keys/', {
      params: { path: { organization, project } },
      body,
    }),
  );
}

export async function updateProjectKey(
  organization: string,
  project: string,
  keyId: string,
  body: { name?: string; isActive?: boolean; rateLimit?: RateLimit | null },
) {
  return call(
    client.PUT('/api/0/projects/{organization}/{project}/keys/{keyId}/', {
      params: { path: { organization, project, keyId } },
      body,
    }),
  );
}

/** A new key with the same name and rate limit; the old one is disabled. */
export async function rotateProjectKey(organization: string, project: string, keyId: string) {
  return call(
    client.POST('/api/0/projects/{organization}/{project}/keys/{keyId}/rotate/', {
      params: { path: { organization, project, keyId } },
    }),
  );
}

/** Your own API tokens (they act for you in every organization, as far as your role there allows). */
export async function userTokens(): Promise<Token[]> {
  return call(client.GET('/api/0/api-tokens/', { params: { query: { per_page: 100 } } }));
}

export async function createUserToken(body: { name?: string; scopes: Scope[] }): Promise<NewToken> {
  return call(client.POST('/api/0/api-tokens/', { body }));
}

export async function revokeUserToken(tokenId: string): Promise<void> {
  await call(client.DELETE('/api/0/api-tokens/{tokenId}/', { params: { path: { tokenId } } }));
}

/** The organization's service tokens: bound to it, acting for nobody. */
export async function organizationTokens(organization: string): Promise<Token[]> {
  return call(
    client.GET('/api/0/organizations/{organization}/org-auth-tokens/', {
      params: { path: { organization }, query: { per_page: 100 } },
    }),
  );
}

export async function createOrganizationToken(
  organization: string,
  body: { name?: string; scopes: Scope[] },
): Promise<NewToken> {
  return call(
    client.POST('/api/0/organizations/{organization}/org-auth-tokens/', {
      params: { path: { organization } },
      body,
    }),
  );
}

export async function revokeOrganizationToken(organization: string, tokenId: string): Promise<void> {
  await call(
    client.DELETE('/api/0/organizations/{organization}/org-auth-tokens/{tokenId}/', {
      params: { path: { organization, tokenId } },
    }),
  );
}

export type DeviceAuthorization = Awaited<ReturnType<typeof deviceAuthorization>>;

/** The device sign-in waiting for the code a device shows (session only, like the page). */
export async function deviceAuthorization(userCode: string) {
  return call(client.GET('/api/0/device-authorizations/', { params: { query: { userCode } } }));
}

export async function decideDeviceAuthorization(userCode: string, decision: 'approve' | 'deny') {
  return call(client.POST('/api/0/device-authorizations/', { body: { userCode, decision } }));
}

export type Plugin = Schema<'Plugin'>;
/** A plugin setting change: `enabled` null follows the organization; a config field null clears it. */
export interface PluginChange {
  enabled?: boolean | null;
  config?: Record<string, unknown>;
}

/** The loaded plugins as the organization has them: the catalogue a project's page lists. */
export async function organizationPlugins(organization: string) {
  return call(
    client.GET('/api/0/organizations/{organization}/plugins/', { params: { path: { organization } } }),
  );
}

/** One plugin as the project has it: on or off, its config in effect (secrets as `{ set: true }`). */
export async function projectPlugin(organization: string, project: string, pluginId: string) {
  return call(
    client.GET('/api/0/projects/{organization}/{project}/plugins/{pluginId}/', {
      params: { path: { organization, project, pluginId } },
    }),
  );
}

export async function updateProjectPlugin(
  organization: string,
  project: string,
  pluginId: string,
  body: PluginChange,
) {
  return call(
    client.PUT('/api/0/projects/{organization}/{project}/plugins/{pluginId}/', {
      params: { path: { organization, project, pluginId } },
      body,
    }),
  );
}
