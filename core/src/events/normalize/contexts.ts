import { trimObjectBag } from './databag';
import type { Report } from './report';
import { invalid, setOwn } from './report';
import { LIMITS } from './trim';
import { isAbsent, isRecord } from './values';

export type Contexts = Record<string, Record<string, unknown>>;

/**
 * `contexts` is an object of objects. Non-object contexts are dropped; top-level string fields are
 * whitespace-trimmed (@sentry/node sends `os.version: "12.11\n"`). Everything else is kept as sent,
 * each context trimmed to its bag size.
 */
export function normalizeContexts(value: unknown, report: Report): Contexts | undefined {
  if (isAbsent(value)) return undefined;
  if (!isRecord(value)) {
    invalid(report, 'contexts', value);
    return undefined;
  }
  const contexts: Contexts = {};
  for (const [name, context] of Object.entries(value)) {
    if (isAbsent(context)) continue;
    if (!isRecord(context)) {
      invalid(report, `contexts.${name}`, context);
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(context)) {
      setOwn(fields, key, typeof field === 'string' ? field.trim() : field);
    }
    setOwn(contexts, name, trimObjectBag(fields, LIMITS.bags.context, ['contexts', name], report));
  }
  return Object.keys(contexts).length > 0 ? contexts : undefined;
}
