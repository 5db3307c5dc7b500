import { createHash } from 'node:crypto';

/**
 * Hex MD5 over `[component id, value]` pairs. Sentry concatenates bare values, which lets
 * `["ab", "c"]` collide with `["a", "bc"]` and a fingerprint collide with an identical message;
 * hashing the JSON of labelled pairs avoids both.
 */
export function hashLeaves(leaves: ReadonlyArray<readonly [string, string]>): string {
  return createHash('md5').update(JSON.stringify(leaves)).digest('hex');
}
