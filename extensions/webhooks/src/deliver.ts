import http from 'node:http';
import https from 'node:https';
import { DestinationRefusedError, guardedLookup, isPrivateAddress } from './address-guard';
import { SIGNATURE_HEADER, signatureHeader } from './signing';

export interface DeliveryOptions {
  secret: string;
  allowPrivateAddresses: boolean;
  /** Per request, DNS and connect included. */
  timeoutMs: number;
  /** Attempts in all (first try included). */
  attempts: number;
  /** Wait before the 2nd attempt; doubles for each further one. */
  backoffMs: number;
  /** Unix seconds, for signing (tests). */
  now?: () => number;
}

/**
 * Defaults that keep one delivery (3 attempts, 1.2 s each, waits of 0.25 s and 0.5 s: at most ~4.4 s)
 * inside the host's 5 s budget for an issue hook, so the host never cuts a delivery short and
 * retries it on top of our own retries.
 */
export const DEFAULT_DELIVERY: Omit<DeliveryOptions, 'secret' | 'allowPrivateAddresses'> = {
  timeoutMs: 1200,
  attempts: 3,
  backoffMs: 250,
};

export interface DeliveryResult {
  url: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** One POST; resolves with the status code, rejects on network errors, timeouts and refusals. */
function post(url: URL, body: string, headers: Record<string, string>, options: DeliveryOptions) {
  return new Promise<number>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(options.timeoutMs),
        // Checks every resolved address at connect time (not used for IP literals: checked below).
        lookup: options.allowPrivateAddresses ? undefined : guardedLookup,
      },
      (response) => {
        response.resume(); // the receiver's body is not used
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs `body` to `url`, signed, retrying with backoff on network errors, timeouts, 5xx and 429.
 * Redirects are not followed (they count as a failure), nor are refused destinations retried.
 */
export async function deliver(
  target: string,
  eventName: string,
  deliveryId: string,
  body: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const url = new URL(target);
  const result: DeliveryResult = { url: target, ok: false, attempts: 0 };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ...result, error: `unsupported protocol ${url.protocol}` };
  }
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivateAddresses && /^[\d.]+$|:/.test(literal) && isPrivateAddress(literal)) {
    return { ...result, error: new DestinationRefusedError(`${url.hostname} is a private address`).message };
  }
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    result.attempts = attempt;
    const timestamp = options.now?.() ?? Math.floor(Date.now() / 1000);
    let retryable: boolean;
    try {
      const status = await post(
        url,
        body,
        {
          'Content-Type': 'application/json',
          'User-Agent': 'Faultline-Webhooks/0.1',
          'Faultline-Event': eventName,
          'Faultline-Delivery': deliveryId,
          [SIGNATURE_HEADER]: signatureHeader(options.secret, timestamp, body),
        },
        options,
      );
      result.status = status;
      if (status >= 200 && status < 300) return { ...result, ok: true, error: undefined };
      throw new HttpStatusError(status);
    } catch (error) {
      const e = error as Error;
      retryable = e instanceof HttpStatusError ? e.status >= 500 || e.status === 429 : !isRefusal(e);
      result.error = e instanceof HttpStatusError ? e.message : describe(e);
    }
    if (!retryable) break;
    if (attempt < options.attempts) await sleep(options.backoffMs * 2 ** (attempt - 1));
  }
  return result;
}

function isRefusal(error: Error): boolean {
  return error instanceof DestinationRefusedError || error.name === 'DestinationRefusedError';
}

function describe(error: Error): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${error.message}` : error.message;
}
