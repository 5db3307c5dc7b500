import type { Breadcrumb } from '../types';
import { parseLevel } from './level';
import { trimObjectBag } from './databag';
import type { Report } from './report';
import { invalid } from './report';
import { parseTimestamp } from './timestamp';
import { keepLast, LIMITS, trimString } from './trim';
import { isAbsent, isRecord, lenientString } from './values';

function breadcrumbString(
  crumb: Record<string, unknown>,
  key: string,
  path: string,
  report: Report,
): string | undefined {
  const value = crumb[key];
  if (isAbsent(value)) return undefined;
  const text = lenientString(value);
  if (text === undefined) invalid(report, `${path}.${key}`, value);
  return text;
}

function normalizeBreadcrumb(
  crumb: Record<string, unknown>,
  path: string,
  correction: number,
  report: Report,
): Breadcrumb {
  const result: Breadcrumb = {};
  if (!isAbsent(crumb.timestamp)) {
    const timestamp = parseTimestamp(crumb.timestamp);
    if (timestamp === undefined) invalid(report, `${path}.timestamp`, crumb.timestamp);
    else result.timestamp = timestamp + correction;
  }
  const type = breadcrumbString(crumb, 'type', path, report);
  if (type) result.type = type;
  const category = breadcrumbString(crumb, 'category', path, report);
  if (category) result.category = category;
  if (!isAbsent(crumb.level)) {
    const level = parseLevel(crumb.level);
    if (level) result.level = level;
    else invalid(report, `${path}.level`, crumb.level);
  }
  const message = breadcrumbString(crumb, 'message', path, report);
  if (message !== undefined) result.message = trimString(message, LIMITS.message, `${path}.message`, report);
  if (isRecord(crumb.data)) {
    result.data = trimObjectBag(crumb.data, LIMITS.bags.breadcrumbData, [...path.split('.'), 'data'], report);
  } else if (!isAbsent(crumb.data)) invalid(report, `${path}.data`, crumb.data);
  return result;
}

/**
 * A bare list or `{values}` → `{values}` with the newest 100 crumbs. Timestamps become epoch
 * seconds shifted by the event's clock drift `correction`; levels are canonical.
 */
export function normalizeBreadcrumbs(
  value: unknown,
  correction: number,
  report: Report,
): { values: Breadcrumb[] } | undefined {
  if (isAbsent(value)) return undefined;
  const list = Array.isArray(value) ? value : isRecord(value) ? value.values : undefined;
  if (!Array.isArray(list)) {
    if (!(isRecord(value) && isAbsent(value.values))) invalid(report, 'breadcrumbs', value);
    return undefined;
  }
  const crumbs: Record<string, unknown>[] = [];
  list.forEach((crumb: unknown, index) => {
    if (isRecord(crumb)) crumbs.push(crumb);
    else if (!isAbsent(crumb)) invalid(report, `breadcrumbs.values.${index}`, crumb);
  });
  // Cut before normalizing so `_meta` paths index the list that is kept.
  const kept = keepLast(crumbs, LIMITS.breadcrumbs, 'breadcrumbs.values', report);
  const values = kept.map((crumb, index) =>
    normalizeBreadcrumb(crumb, `breadcrumbs.values.${index}`, correction, report),
  );
  return values.length > 0 ? { values } : undefined;
}
