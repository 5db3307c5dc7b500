import { createHmac, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;

// 32 letters and digits without the look-alikes i, l, o and u: 5 bits per character.
const ALPHABET = 'abcdefghjkmnpqrstvwxyz0123456789';

/** A new recovery code, `xxxxx-xxxxx` (50 random bits). */
export function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** How people type codes varies (case, dashes, spaces); the stored hash is of the bare characters. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function looksLikeRecoveryCode(code: string): boolean {
  return /^[a-z0-9]{10}$/.test(normalizeRecoveryCode(code));
}

/**
 * Keyed hash of a recovery code: 50 bits are too few to resist an offline search of a plain hash,
 * but without the server's key a stolen table is of no use.
 */
export function hashRecoveryCode(key: Buffer, code: string): string {
  return createHmac('sha256', key).update(normalizeRecoveryCode(code)).digest('hex');
}
