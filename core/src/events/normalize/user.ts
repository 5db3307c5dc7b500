import { isIP } from 'node:net';
import type { EventUser, NormalizeContext } from '../types';
import { otherFields } from './passthrough';
import type { Report } from './report';
import { invalid, setOwn } from './report';
import { LIMITS } from './trim';
import { isAbsent, isRecord, lenientString } from './values';

/** The placeholder SDKs send to ask the server to fill in the client's address. */
export const AUTO_IP = '{{auto}}';

const KNOWN_KEYS: ReadonlySet<string> = new Set(['id', 'email', 'username', 'ip_address']);

function userString(user: Record<string, unknown>, key: string, report: Report): string | undefined {
  const value = user[key];
  if (isAbsent(value)) return undefined;
  const text = lenientString(value)?.trim();
  if (text === undefined) invalid(report, `user.${key}`, value);
  return text || undefined;
}

/** Whether the SDK asked for IP inference (`sdk.settings.infer_ip: "auto"`, sent by browser SDKs). */
export function sdkInfersIp(sdk: unknown): boolean {
  return isRecord(sdk) && isRecord(sdk.settings) && sdk.settings.infer_ip === 'auto';
}

/**
 * `id` (numbers become strings), `email`, `username` and `ip_address`; other keys are kept. An
 * `ip_address` of `{{auto}}`, or none while the SDK asks for inference, becomes the client address
 * (dropped when unknown). Invalid addresses are dropped.
 */
export function normalizeUser(
  value: unknown,
  sdk: unknown,
  ctx: NormalizeContext,
  report: Report,
): EventUser | undefined {
  let raw: Record<string, unknown> = {};
  if (isRecord(value)) raw = value;
  else if (!isAbsent(value)) invalid(report, 'user', value);

  const id = userString(raw, 'id', report);
  const email = userString(raw, 'email', report);
  const username = userString(raw, 'username', report);
  let ip = userString(raw, 'ip_address', report);
  if (ip === AUTO_IP || (ip === undefined && sdkInfersIp(sdk))) ip = ctx.clientIp;
  else if (ip !== undefined && isIP(ip) === 0) {
    invalid(report, 'user.ip_address', ip);
    ip = undefined;
  }

  const user: EventUser = {};
  if (id !== undefined) user.id = id;
  if (email !== undefined) user.email = email;
  if (username !== undefined) user.username = username;
  // ctx.clientIp is checked as well: it may come from a proxy header, which can hold anything.
  if (ip !== undefined && isIP(ip) !== 0) user.ip_address = ip;
  const other = otherFields(raw, KNOWN_KEYS, LIMITS.bags.userOther, ['user'], report);
  for (const [key, field] of Object.entries(other)) setOwn(user, key, field);
  return Object.keys(user).length > 0 ? user : undefined;
}
