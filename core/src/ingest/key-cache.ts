import type { AccountsRepository, ProjectKey } from '../accounts';

const HIT_TTL_MS = 30_000;
const MISS_TTL_MS = 5_000;

/**
 * Project keys looked up by public key, cached so authenticating an SDK request costs no query on
 * the hot path. A disabled or rotated key takes effect within HIT_TTL_MS.
 */
export class ProjectKeyCache {
  private readonly entries = new Map<string, { key: ProjectKey | undefined; expires: number }>();

  constructor(private readonly accounts: AccountsRepository) {}

  async get(publicKey: string): Promise<ProjectKey | undefined> {
    const now = Date.now();
    const cached = this.entries.get(publicKey);
    if (cached && cached.expires > now) return cached.key;
    const key = await this.accounts.findKeyByPublicKey(publicKey);
    this.entries.set(publicKey, { key, expires: now + (key ? HIT_TTL_MS : MISS_TTL_MS) });
    return key;
  }

  invalidate(publicKey?: string): void {
    if (publicKey) this.entries.delete(publicKey);
    else this.entries.clear();
  }
}
