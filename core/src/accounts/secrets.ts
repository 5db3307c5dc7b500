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

/** A new DSN key pair. */
export function newProjectKeyParts(): { public_key: string; secret_key: string } {
  return { public_key: newKeyPart(), secret_key: newKeyPart() };
}
