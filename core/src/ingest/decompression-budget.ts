import { ServiceUnavailableError } from '../errors';

/** What a client told to wait is told to wait: long enough for the requests in progress to end. */
export const BUDGET_RETRY_AFTER_SECONDS = 2;

/**
 * Bytes that requests in progress have decompressed, across all of them: what bounds the memory a
 * burst of compression bombs can take. Each request holds a lease that grows as its body inflates
 * and is given back when the request ends; a request that would take the total past the budget
 * fails with 503 and Retry-After, while the requests already holding their bytes go on.
 */
export class DecompressionBudget {
  private inUse = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes held by requests right now. */
  get bytesInUse(): number {
    return this.inUse;
  }

  lease(): DecompressionLease {
    return new DecompressionLease(this);
  }

  /** @internal used by leases */
  tryTake(bytes: number): boolean {
    if (this.inUse + bytes > this.maxBytes) return false;
    this.inUse += bytes;
    return true;
  }

  /** @internal used by leases */
  giveBack(bytes: number): void {
    this.inUse -= bytes;
  }
}

/** One request's share of the budget; `release()` when the request is answered (idempotent). */
export class DecompressionLease {
  private held = 0;

  constructor(private readonly budget: DecompressionBudget) {}

  /** Counts `bytes` more of decompressed output; throws the 503 when the budget can't take them. */
  take(bytes: number): void {
    if (this.budget.tryTake(bytes)) {
      this.held += bytes;
      return;
    }
    throw new ServiceUnavailableError(
      `the server is decompressing as much as it allows at once (${this.budget.maxBytes} bytes across requests); retry in ${BUDGET_RETRY_AFTER_SECONDS} s`,
      'decompression_busy',
      BUDGET_RETRY_AFTER_SECONDS,
    );
  }

  release(): void {
    this.budget.giveBack(this.held);
    this.held = 0;
  }
}
