import { hash, parseOptions, verify } from '@node-rs/argon2';

/** Argon2id cost parameters; the defaults are OWASP's minimum recommendation (19 MiB, 2 passes). */
export interface Argon2Parameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Parameters = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// @node-rs/argon2 declares Algorithm as a const enum, which isolated-module builds (tsx) can't inline.
const ARGON2ID = 2;

/** Hashes and verifies passwords with argon2id; tells when a stored hash used other parameters. */
export class PasswordHasher {
  constructor(readonly parameters: Argon2Parameters = DEFAULT_ARGON2) {}

  hash(password: string): Promise<string> {
    return hash(password, { ...this.parameters, algorithm: ARGON2ID });
  }

  /** Constant-time comparison (inside argon2); a malformed stored hash verifies as false. */
  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await verify(storedHash, password);
    } catch {
      return false;
    }
  }

  /** True when the stored hash is not argon2id with the current parameters. */
  needsRehash(storedHash: string): boolean {
    try {
      const parsed = parseOptions(storedHash);
      return (
        parsed.algorithm !== ARGON2ID ||
        parsed.memoryCost !== this.parameters.memoryCost ||
        parsed.timeCost !== this.parameters.timeCost ||
        parsed.parallelism !== this.parameters.parallelism
      );
    } catch {
      return true;
    }
  }
}
