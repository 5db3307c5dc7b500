/**
 * An invitation link (`/accept/{inviteId}/{token}/`): what it offers, and accepting it signed in or
 * with a new account for the invited email (the API then signs that account in).
 */
import { call, client } from './http';

export interface InviteLink {
  inviteId: string;
  token: string;
}

export type InviteOffer = Awaited<ReturnType<typeof inviteOffer>>;

export async function inviteOffer(path: InviteLink) {
  return call(client.GET('/api/0/accept-invite/{inviteId}/{token}/', { params: { path } }));
}

export async function acceptInvite(path: InviteLink) {
  return call(client.POST('/api/0/accept-invite/{inviteId}/{token}/', { params: { path } }));
}

export async function acceptWithNewAccount(path: InviteLink, password: string) {
  return call(
    client.POST('/api/0/accept-invite/{inviteId}/{token}/account/', { params: { path }, body: { password } }),
  );
}
