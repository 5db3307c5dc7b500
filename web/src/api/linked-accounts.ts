/**
 * Your Slack and GitHub accounts linked to Faultline (see docs/linked-accounts.md): the list, unlink,
 * and the confirmation of a link an integration sent you. Session-only, like the rest of your account.
 */
import { call, client } from './http';

export type LinkedAccount = Awaited<ReturnType<typeof linkedAccounts>>[number];

export async function linkedAccounts() {
  return call(client.GET('/api/0/users/me/external-identities/'));
}

export async function unlinkAccount(linkId: string): Promise<void> {
  await call(
    client.DELETE('/api/0/users/me/external-identities/{linkId}/', { params: { path: { linkId } } }),
  );
}

/** Who a link asks to act as you, and where; nothing is linked by looking. */
export async function pendingLink(token: string) {
  return call(
    client.GET('/api/0/users/me/external-identities/link-requests/', { params: { query: { token } } }),
  );
}

export async function confirmLink(token: string) {
  return call(client.POST('/api/0/users/me/external-identities/', { body: { token } }));
}

const PROVIDER_NAMES: Record<string, string> = { slack: 'Slack', github: 'GitHub' };

/** "Slack" for `slack`: the integrations' names as people know them. */
export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}
