import type { NormalizeContext } from '../types';
import type { Report } from './report';
import { addError, invalid } from './report';
import { isAbsent } from './values';

/** Clock differences up to this many seconds are left alone, and events this far ahead are tolerated. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

// RFC 3339 (and the ISO 8601 variants SDKs send): `T` or space, optional seconds and fraction, and an
// optional zone. Without a zone the time is taken as UTC, as Relay does.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseDateString(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const wholeSeconds = Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
  // Keep sub-millisecond precision that Date.parse would drop.
  const fractionSeconds = fraction ? Number(`0${fraction}`) : 0;
  return wholeSeconds + fractionSeconds - zoneOffsetSeconds(zone);
}

function zoneOffsetSeconds(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 3600 + minutes * 60);
}

/** Epoch seconds from epoch seconds (number or numeric string) or an RFC 3339 string. */
export function parseTimestamp(value: unknown): number | undefined {
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : parseDateString(text);
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  return seconds;
}

/**
 * How many seconds to add to client timestamps: `receivedAt - sentAt` when the client's clock is
 * more than a minute off, else 0. The transport delay is part of the difference, which is why small
 * differences are ignored.
 */
export function clockDriftCorrection(ctx: NormalizeContext): number {
  if (ctx.sentAt === undefined || !Number.isFinite(ctx.sentAt)) return 0;
  const drift = ctx.receivedAt - ctx.sentAt;
  return Math.abs(drift) > MAX_CLOCK_SKEW_SECONDS ? drift : 0;
}

/** The event's timestamp in epoch seconds, corrected for clock drift and never in the future. */
export function normalizeTimestamp(value: unknown, ctx: NormalizeContext, report: Report): number {
  const parsed = parseTimestamp(value);
  if (parsed === undefined) {
    if (!isAbsent(value)) invalid(report, 'timestamp', value);
    return ctx.receivedAt;
  }
  const correction = clockDriftCorrection(ctx);
  if (correction !== 0) addError(report, 'clock_drift', 'timestamp', correction);
  const corrected = parsed + correction;
  if (corrected > ctx.receivedAt + MAX_CLOCK_SKEW_SECONDS) {
    addError(report, 'future_timestamp', 'timestamp', parsed);
    return ctx.receivedAt;
  }
  return corrected;
}
