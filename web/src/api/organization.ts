/**
 * The calls of an organization's own settings pages — teams with their members and projects, the
 * audit log, single sign-on and the 2FA requirement — through the generated client.
 */
import type { paths, Schema } from '@faultline/api-client';
import { call, client } from './http';
import { withCursors, type Paged } from './paged';

export type Team = Awaited<ReturnType<typeof teams>>[number];
export type AuditEntry = Schema<'AuditEntry'>;
export type AuditLog = Schema<'AuditLog'>;
export type AuditEvent = AuditLog['options'][number];
export type SsoSettings = Schema<'SsoSettings'>;
export type SsoChange = NonNullable<
  paths['/api/0/organizations/{organization}/sso/']['put']['requestBody']
>['content']['application/json'];

// An organization's teams, and a team's projects, fit on a page of 100 here.
const page = { per_page: 100 };

export async function teams(organization: string) {
  return call(
    client.GET('/api/0/organizations/{organization}/teams/', {
      params: { path: { organization }, query: page },
    }),
  );
}

export async function createTeam(organization: string, name: string) {
  return call(
    client.POST('/api/0/organizations/{organization}/teams/', {
      params: { path: { organization } },
      body: { name },
    }),
  );
}

export async function deleteTeam(organization: string, team: string): Promise<void> {
  await call(
    client.DELETE('/api/0/teams/{organization}/{team}/', { params: { path: { organization, team } } }),
  );
}

/** The team's projects among those the caller may see. */
export async function teamProjects(organization: string, team: string) {
  return call(
    client.GET('/api/0/teams/{organization}/{team}/projects/', {
      params: { path: { organization, team }, query: page },
    }),
  );
}

export async function addTeamMember(organization: string, member: string, team: string): Promise<void> {
  await call(
    client.POST('/api/0/organizations/{organization}/members/{member}/teams/{team}/', {
      params: { path: { organization, member, team } },
      body: {},
    }),
  );
}

export async function removeTeamMember(organization: string, member: string, team: string): Promise<void> {
  await call(
    client.DELETE('/api/0/organizations/{organization}/members/{member}/teams/{team}/', {
      params: { path: { organization, member, team } },
    }),
  );
}

export async function addTeamProject(organization: string, project: string, team: string): Promise<void> {
  await call(
    client.POST('/api/0/projects/{organization}/{project}/teams/{team}/', {
      params: { path: { organization, project, team } },
    }),
  );
}

export async function removeTeamProject(organization: string, project: string, team: string): Promise<void> {
  await call(
    client.DELETE('/api/0/projects/{organization}/{project}/teams/{team}/', {
      params: { path: { organization, project, team } },
    }),
  );
}

/** A page of the audit log, newest first, of one kind of event or all. */
export async function auditLog(
  organization: string,
  filter: { event?: AuditEvent; cursor?: string },
): Promise<Paged<AuditLog>> {
  return withCursors(
    client.GET('/api/0/organizations/{organization}/audit-logs/', {
      params: { path: { organization }, query: { ...filter, per_page: 25 } },
    }),
  );
}

export async function ssoSettings(organization: string): Promise<SsoSettings> {
  return call(client.GET('/api/0/organizations/{organization}/sso/', { params: { path: { organization } } }));
}

/** Sets up or changes single sign-on; without `clientSecret` the stored secret stays. */
export async function saveSso(organization: string, change: SsoChange): Promise<SsoSettings> {
  return call(
    client.PUT('/api/0/organizations/{organization}/sso/', {
      params: { path: { organization } },
      body: change,
    }),
  );
}

export async function removeSso(organization: string): Promise<void> {
  await call(
    client.DELETE('/api/0/organizations/{organization}/sso/', { params: { path: { organization } } }),
  );
}

/** Whether members need 2FA; the API refuses turning it on for someone without 2FA themselves. */
export async function setRequire2FA(organization: string, require2FA: boolean): Promise<void> {
  await call(
    client.PUT('/api/0/organizations/{organization}/', {
      params: { path: { organization } },
      body: { require2FA },
    }),
  );
}
