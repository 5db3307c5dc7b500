import type { z } from 'zod';

/**
 * Config fields marked with `secret(...)` are stored encrypted at rest, never returned by the API
 * (shown as set or not) and never logged. Mark API tokens, passwords, signing secrets, SMTP URLs
 * with credentials. Only top-level fields of an object `configSchema` can be secret.
 */
const secrets = new WeakSet<object>();

export function secret<T extends z.ZodType>(schema: T): T {
  secrets.add(schema);
  return schema;
}

/** Whether `schema` (or the schema it wraps with optional/default/nullable) was marked secret. */
export function isSecret(schema: z.ZodType): boolean {
  let current: unknown = schema;
  for (let depth = 0; depth < 8 && current && typeof current === 'object'; depth++) {
    if (secrets.has(current)) return true;
    const def = (current as { def?: { innerType?: unknown } }).def;
    current = def?.innerType;
  }
  return false;
}
