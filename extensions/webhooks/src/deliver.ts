import type { HttpClient } from '@faultline/plugin-sdk';
import { SIGNATURE_HEADER, signatureHeader } from './signing';

export interface DeliveryOptions {
  secret: string;
  /** Per request, DNS and connect included (the host's client enforces it). */
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
 * inside the host's default 5 s budget for a hook (`PLUGIN_HOOK_BUDGET_MS`; an alert action gets
 * more), so the host never cuts a delivery short and retries it on top of our own retries.
 */
export const DEFAULT_DELIVERY: Omit<DeliveryOptions, 'secret'> = {
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
  /** The host's error code when the request itself failed, e.g. `destination_refused`. */
  code?: string;
}

/**
 * Failures of the host's HTTP client worth another attempt: the receiver may be back in a moment.
 * Anything else (`destination_refused`, `invalid_url`, an oversized answer, no HTTP service) would
 * fail the same way again.
 */
const RETRYABLE_CODES = new Set(['http_timeout', 'http_error']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `code` of a `PluginError`, read by property: the host's copy of the SDK may not be ours. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * POSTs `body` to `url` through the host's HTTP client (which refuses private destinations unless
 * the installation allows them), signed, retrying with backoff on network errors, timeouts, 5xx and
 * 429. Redirects are not followed (the client returns them; they count as a failure), nor are
 * refused destinations retried.
 */
export async function deliver(
  http: HttpClient,
  target: string,
  eventName: string,
  deliveryId: string,
  body: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { url: target, ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    result.attempts = attempt;
    const timestamp = options.now?.() ?? Math.floor(Date.now() / 1000);
    let retryable: boolean;
    try {
      const response = await http.fetch(target, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Faultline-Webhooks/0.2',
          'Faultline-Event': eventName,
          'Faultline-Delivery': deliveryId,
          [SIGNATURE_HEADER]: signatureHeader(options.secret, timestamp, body),
        },
        body,
        timeoutMs: options.timeoutMs,
      });
      result.status = response.status;
      if (response.status >= 200 && response.status < 300)
        return { ...result, ok: true, error: undefined, code: undefined };
      result.error = `HTTP ${response.status}`;
      result.code = undefined;
      retryable = response.status >= 500 || response.status === 429;
    } catch (error) {
      result.status = undefined;
      result.code = codeOf(error);
      result.error = error instanceof Error ? error.message : String(error);
      retryable = result.code !== undefined && RETRYABLE_CODES.has(result.code);
    }
    if (!retryable) break;
    if (attempt < options.attempts) await sleep(options.backoffMs * 2 ** (attempt - 1));
  }
  return result;
}
