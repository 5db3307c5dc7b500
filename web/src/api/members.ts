/**
 * The calls of an organization's members page (members, invitations, roles), through the
 * generated client.
 */
import type { paths, Schema } from '@faultline/api-client';
import { call, client } from './http';

export type Member = Schema<'Member'>;
export type Invite = Awaited<ReturnType<typeof invites>>[number];
/** The organization roles, as the API's member update declares them. */
export type Role = NonNullable<
  NonNullable<
    paths['/api/0/organizations/{organization}/members/{member}/']['put']['requestBody']
  >['content']['application/json']['orgRole']
>;

// An organization's people fit on a page of 100 here; more would need the pages' cursors.
const page = { per_page: 100 };

export async function members(organization: string): Promise<Member[]> {
  return call(
    client.GET('/api/0/organizations/{organization}/members/', {
      params: { path: { organization }, query: page },
    }),
  );
}

export async function invites(organization: string) {
  return call(
    client.GET('/api/0/organizations/{organization}/invited-members/', {
      params: { path: { organization }, query: page },
    }),
  );
}

/** Answers the invitation's link once: the API keeps only its hash, and mails nothing yet. */
export async function invite(organization: string, email: string, orgRole: Role) {
  return call(
    client.POST('/api/0/organizations/{organization}/members/', {
      params: { path: { organization } },
      body: { email, orgRole },
    }),
  );
}

export async function changeRole(organization: string, member: string, orgRole: Role): Promise<void> {
  await call(
    client.PUT('/api/0/organizations/{organization}/members/{member}/', {
      params: { path: { organization, member } },
      body: { orgRole },
    }),
  );
}

export async function removeMember(organization: string, member: string): Promise<void> {
  await call(
    client.DELETE('/api/0/organizations/{organization}/members/{member}/', {
      params: { path: { organization, member } },
    }),
  );
}

export async function revokeInvite(organization: string, inviteId: string): Promise<void> {
  await call(
    client.DELETE('/api/0/organizations/{organization}/invited-members/{inviteId}/', {
      params: { path: { organization, inviteId } },
    }),
  );
}
