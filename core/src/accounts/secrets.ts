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
