import type { MetaPath, Report } from './report';
import { recordMeta, setOwn } from './report';
import { BAG_SIZES, limitMeta, truncateString, type BagSize } from './trim';
import { isRecord } from './values';

/** What is left of a bag's byte budget while it is walked. */
interface Budget {
  remaining: number;
}

/** Estimated JSON size of a scalar (strings count UTF-16 units, close enough for a budget). */
function scalarSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  return 4; // null
}

function sizeOf(container: unknown[] | Record<string, unknown>): number {
  return Array.isArray(container) ? container.length : Object.keys(container).length;
}

/**
 * Trims a databag, free-form JSON an SDK sends as it likes (`extra`, a context, a frame's `vars`…),
 * to its bag size, Relay's way: a value nested deeper than `maxDepth` levels below the bag goes,
 * and once about `maxBytes` of JSON were kept, strings are cut and later items go. A container at
 * the last level is removed rather than kept empty. Every cut is recorded in `_meta` under `path`
 * (the bag's place in the event): a cut string as substituted, a removed container as removed
 * (`x`), a shortened list or object with its original length. Recursion stops at `maxDepth`, so
 * a payload nested thousands deep costs nothing here and can't overflow a later JSON.stringify.
 */
export function trimBag(value: unknown, size: BagSize, path: MetaPath, report: Report): unknown {
  const { maxDepth, maxBytes } = BAG_SIZES[size];
  return trimValue(value, maxDepth, [...path], { remaining: maxBytes }, report);
}

/** A bag that must be an object (`extra`, a context…): the same, typed for the caller. */
export function trimObjectBag(
  value: Record<string, unknown>,
  size: BagSize,
  path: MetaPath,
  report: Report,
): Record<string, unknown> {
  return trimBag(value, size, path, report) as Record<string, unknown>;
}

function trimValue(
  value: unknown,
  depthLeft: number,
  path: (string | number)[],
  budget: Budget,
  report: Report,
): unknown {
  if (Array.isArray(value) || isRecord(value)) {
    return trimContainer(value, depthLeft, path, budget, report);
  }
  if (typeof value === 'string') {
    const result = truncateString(value, Math.max(budget.remaining, 0));
    if (result.originalLength !== undefined) recordMeta(report, path, limitMeta(result));
    budget.remaining -= scalarSize(result.value) + 1;
    return result.value;
  }
  budget.remaining -= scalarSize(value) + 1;
  return value;
}

function trimContainer(
  value: unknown[] | Record<string, unknown>,
  depthLeft: number,
  path: (string | number)[],
  budget: Budget,
  report: Report,
): unknown {
  const length = sizeOf(value);
  if (depthLeft <= 1 && length > 0) {
    recordMeta(report, path, { rem: [['!limit', 'x']], len: length });
    budget.remaining -= 5;
    return null;
  }
  budget.remaining -= 2;
  let kept = 0;
  const child = (item: unknown, key: string | number): unknown => {
    path.push(key);
    const trimmed = trimValue(item, depthLeft - 1, path, budget, report);
    path.pop();
    kept += 1;
    return trimmed;
  };
  let result: unknown[] | Record<string, unknown>;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let i = 0; i < value.length && budget.remaining > 0; i++) items.push(child(value[i], i));
    result = items;
  } else {
    const fields: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (budget.remaining <= 0) break;
      budget.remaining -= key.length + 3;
      setOwn(fields, key, child(value[key], key));
    }
    result = fields;
  }
  if (kept < length) recordMeta(report, path, { len: length });
  return result;
}
