import type { Report } from './report';
import { invalid } from './report';
import { isAbsent, lenientString } from './values';

/** A list of strings; numbers and booleans are stringified, other entries dropped. */
export function normalizeFingerprint(value: unknown, report: Report): string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) {
    invalid(report, 'fingerprint', value);
    return undefined;
  }
  const parts: string[] = [];
  value.forEach((part: unknown, index) => {
    const text = lenientString(part);
    if (text === undefined) invalid(report, `fingerprint.${index}`, part);
    else parts.push(text);
  });
  return parts.length > 0 ? parts : undefined;
}
