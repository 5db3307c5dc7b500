import type { Report } from './report';
import { invalid } from './report';
import { isAbsent, isRecord } from './values';

export type Contexts = Record<string, Record<string, unknown>>;

/**
 * `contexts` is an object of objects. Non-object contexts are dropped; top-level string fields are
 * whitespace-trimmed (@sentry/node sends `os.version: "12.11\n"`). Everything else is kept as sent.
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
      fields[key] = typeof field === 'string' ? field.trim() : field;
    }
    contexts[name] = fields;
  }
  return Object.keys(contexts).length > 0 ? contexts : undefined;
}
