/**
 * Fixed-window counter per project key, kept in this process. With several `faultline start`
 * processes behind a load balancer each enforces the limit on its own share of the traffic.
 */
export interface KeyLimit {
  count: number;
  windowSeconds: number;
}

export class KeyRateLimiter {
  private readonly windows = new Map<number, { start: number; used: number }>();

  /**
   * Takes `amount` from the key's window. Returns 0 when allowed, otherwise the seconds until the
   * window resets (what Retry-After should say).
   */
  take(keyId: number, limit: KeyLimit, amount: number, nowMs = Date.now()): number {
    if (limit.count <= 0 || amount <= 0) return 0;
    const windowMs = limit.windowSeconds * 1000;
    const start = Math.floor(nowMs / windowMs) * windowMs;
    let window = this.windows.get(keyId);
    if (!window || window.start !== start) {
      window = { start, used: 0 };
      this.windows.set(keyId, window);
    }
    if (window.used + amount > limit.count) return Math.max(1, Math.ceil((start + windowMs - nowMs) / 1000));
    window.used += amount;
    return 0;
  }
}
