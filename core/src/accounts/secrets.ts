import { createHash, randomBytes } from 'node:crypto';

/** 32 lowercase hex characters, the shape Sentry uses for DSN keys. */
export function newKeyPart(): string {
  return randomBytes(16).toString('hex');
}

const TOKEN_PREFIX = 'flt_';

/** A new API token; only its hash is stored. */
export function newApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('hex');
}

/**
 * A new organization token in Sentry's form, `sntrys_<base64 of JSON>_<secret>`: the JSON names the
 * installation's public root URL and the organization's slug, and sentry-cli takes both from the
 * token itself (they override SENTRY_URL and SENTRY_ORG), so CI needs nothing but the token. Only
 * its hash is stored, like any other token's.
 */
export function newOrganizationApiToken(installation: { url: string; organizationSlug: string }): string {
  const url = installation.url.replace(/\/+$/, '');
  const claims = JSON.stringify({
    iat: Date.now() / 1000,
    url,
    region_url: url,
    org: installation.organizationSlug,
  });
  const secret = randomBytes(32).toString('base64').replace(/=+$/, '');
  return `sntrys_${Buffer.from(claims).toString('base64')}_${secret}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A new DSN key pair: the columns to insert (the secret only as its SHA-256 hash) and the clear
 * secret, to be shown once in the answer that creates the key and never again.
 */
export function newProjectKeyParts(): {
  columns: { public_key: string; secret_key_hash: string };
  secret: string;
} {
  const secret = newKeyPart();
  return { columns: { public_key: newKeyPart(), secret_key_hash: hashToken(secret) }, secret };
}
