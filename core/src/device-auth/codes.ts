import { randomBytes, randomInt } from 'node:crypto';

/**
 * The two codes of a device sign-in (RFC 8628 §6.1). The device code is the device's secret for
 * polling: 256 random bits, never shown to a person. The user code is what a person reads off one
 * screen and types on another: 8 letters from an alphabet with no vowels (no words spelled by
 * chance) and no look-alikes, 20^8 ≈ 2^34.5 possibilities, which is enough only because codes live
 * 15 minutes and guesses are throttled (see `flow.ts`).
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;

export function newDeviceCode(): string {
  return randomBytes(32).toString('base64url');
}

/** `WDJB-MJHT`: shown with a dash, which typing may leave out. */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i += 1)
    code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * A typed user code as it was issued, or undefined when it can't be one. Case, dashes and spaces
 * don't matter (RFC 8628 §6.1 asks servers to forgive them); any other character can't be in a code.
 */
export function normalizeUserCode(typed: string): string | undefined {
  const letters = typed.toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== USER_CODE_LENGTH) return undefined;
  if ([...letters].some((letter) => !USER_CODE_ALPHABET.includes(letter))) return undefined;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
