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
  return isMarked(secrets, schema);
}

/**
 * Config fields marked with `installationOnly(...)` can only be set by whoever runs the server, in
 * the installation config (`PLUGIN_CONFIG_<ID>`): organization and project settings cannot set or
 * override them. Mark fields that decide where the server connects or what it trusts (an SMTP host,
 * an internal API's URL): an organization's admin must not be able to aim them at the internal
 * network. Only top-level fields of an object `configSchema` count; combine freely with `secret`.
 */
const installationOnlyFields = new WeakSet<object>();

export function installationOnly<T extends z.ZodType>(schema: T): T {
  installationOnlyFields.add(schema);
  return schema;
}

/** Whether `schema` (or the schema it wraps with optional/default/nullable) was marked installation-only. */
export function isInstallationOnly(schema: z.ZodType): boolean {
  return isMarked(installationOnlyFields, schema);
}

/** Whether `schema`, or one it wraps (optional, default, nullable…), is in `marks`. */
function isMarked(marks: WeakSet<object>, schema: z.ZodType): boolean {
  let current: unknown = schema;
  for (let depth = 0; depth < 8 && current && typeof current === 'object'; depth++) {
    if (marks.has(current)) return true;
    const def = (current as { def?: { innerType?: unknown } }).def;
    current = def?.innerType;
  }
  return false;
}
