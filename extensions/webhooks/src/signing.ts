import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'Faultline-Signature';

/** Hex HMAC-SHA256 of `${timestamp}.${body}` with `secret`. */
export function computeSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The `Faultline-Signature` header value for `body` sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

export interface VerifyOptions {
  /** Oldest accepted timestamp, as seconds before `now` (default 300); guards against replays. */
  toleranceSeconds?: number;
  /** Current unix time in seconds (default: the clock). */
  now?: number;
}

/**
 * Checks a `Faultline-Signature` header against the raw request body, as a receiver would: the
 * timestamp must be within the tolerance and one of the `v1` signatures must match.
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  options: VerifyOptions = {},
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2).map((s) => s.trim());
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(computeSignature(secret, timestamp, body), 'hex');
  return signatures.some((s) => {
    const given = Buffer.from(s, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
