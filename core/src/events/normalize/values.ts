/** Narrowing helpers for untrusted JSON. Nothing here throws. */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strings as they are; finite numbers and booleans as text (SDKs send `release: 2`, `id: 42`). */
export function lenientString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return String(value);
  return undefined;
}

/** Like `lenientString`, but objects and arrays become their JSON text (exception values, messages). */
export function jsonLenientString(value: unknown): string | undefined {
  const text = lenientString(value);
  if (text !== undefined || value === null || value === undefined) return text;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** A finite number, also from a numeric string (`"42"`). */
export function finiteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** A boolean, also from the strings `"true"`/`"false"` and the numbers 1/0. */
export function lenientBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 1) return true;
  if (value === 'false' || value === 0) return false;
  return undefined;
}

/** Absent in the wire sense: the key is missing or JSON `null`. */
export function isAbsent(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** A small stand-in for an offending value in a ProcessingError, so errors never carry big blobs. */
export function preview(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 197)}...` : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return '[array]';
  return `[${typeof value}]`;
}
