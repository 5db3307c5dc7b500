import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { ServiceUnavailableError } from '../../errors';

const CACHE_TTL_MS = 60 * 60 * 1000;

/** Plain http is allowed only for a provider on this machine (development and tests). */
export function isLoopbackHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
}

/**
 * Provider metadata (`.well-known/openid-configuration` and its keys) per issuer and client,
 * fetched once an hour at most: every login would otherwise cost a round trip to the provider.
 */
export class OidcDiscovery {
  private readonly cache = new Map<string, { config: oidc.Configuration; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async configuration(issuer: string, clientId: string, clientSecret: string): Promise<oidc.Configuration> {
    // The secret is part of the key (hashed) so a changed secret is picked up at once.
    const key = [issuer, clientId, createHash('sha256').update(clientSecret).digest('hex')].join('\n');
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.config;
    const url = new URL(issuer);
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(url, clientId, clientSecret, oidc.ClientSecretBasic(clientSecret), {
        execute: isLoopbackHttp(url) ? [oidc.allowInsecureRequests] : [],
      });
    } catch (error) {
      throw new ServiceUnavailableError(
        `The identity provider at ${issuer} could not be reached or described itself wrongly (${(error as Error).message})`,
        'sso_provider_unavailable',
      );
    }
    this.cache.set(key, { config, expiresAt: this.now() + CACHE_TTL_MS });
    return config;
  }

  forget(): void {
    this.cache.clear();
  }
}
