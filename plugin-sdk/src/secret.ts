import type { z } from 'zod';
import { MARKS_KEY } from './brand';

/**
 * The marks a config field can carry. They are recorded in the schema's own definition, under a
 * `Symbol.for` key, rather than in state of this module: a plugin installed from npm bundles its own
 * copy of the SDK (and maybe of zod), and the host must still see what that copy marked. A zod
 * definition keeps the key through `.describe()`, `.meta()`, `.min()` and other clones, and wrappers
 * (`.optional()`, `.default()`, `.transform()`) are looked through.
 */
interface Marks {
  secret?: true;
  installationOnly?: true;
}

interface ZodInternals {
  _zod?: { def?: Record<PropertyKey, unknown> };
  def?: Record<PropertyKey, unknown>;
  clone?(def: Record<PropertyKey, unknown>, params: { parent: boolean }): unknown;
}

/** A copy of `schema` with `mark` added to its definition; the original stays unmarked. */
function mark<T extends z.ZodType>(schema: T, mark: keyof Marks): T {
  const internals = schema as unknown as ZodInternals;
  const def = internals._zod?.def ?? internals.def;
  if (!def || typeof internals.clone !== 'function') throw new TypeError(`${mark}(...) takes a zod 4 schema`);
  const marks = { ...(def[MARKS_KEY] as Marks | undefined), [mark]: true };
  // `parent: true` keeps metadata registered for the original (a description) on the copy.
  return internals.clone({ ...def, [MARKS_KEY]: marks }, { parent: true }) as T;
}

/** Whether `schema`, or a schema it wraps (optional, default, nullable, a transform's input…), has `name`. */
function hasMark(schema: unknown, name: keyof Marks): boolean {
  let current: unknown = schema;
  for (let depth = 0; depth < 8 && current && typeof current === 'object'; depth++) {
    const internals = current as ZodInternals;
    const def = internals._zod?.def ?? internals.def;
    if (!def) return false;
    if ((def[MARKS_KEY] as Marks | undefined)?.[name]) return true;
    current = def.innerType ?? def.in;
  }
  return false;
}

/**
 * Config fields marked with `secret(...)` are stored encrypted at rest, never returned by the API
 * (shown as set or not) and never logged. Mark API tokens, passwords, signing secrets, SMTP URLs
 * with credentials. Only top-level fields of an object `configSchema` can be secret. Returns a
 * marked copy: use what it returns.
 */
export function secret<T extends z.ZodType>(schema: T): T {
  return mark(schema, 'secret');
}

/** Whether `schema` (or the schema it wraps with optional/default/nullable) was marked secret. */
export function isSecret(schema: z.ZodType): boolean {
  return hasMark(schema, 'secret');
}

/**
 * Config fields marked with `installationOnly(...)` can only be set by whoever runs the server, in
 * the installation config (`PLUGIN_CONFIG_<ID>`): organization and project settings cannot set or
 * override them. Mark fields that decide where the server connects or what it trusts (an SMTP host,
 * an internal API's URL): an organization's admin must not be able to aim them at the internal
 * network. Only top-level fields of an object `configSchema` count; combine freely with `secret`.
 * Returns a marked copy: use what it returns.
 */
export function installationOnly<T extends z.ZodType>(schema: T): T {
  return mark(schema, 'installationOnly');
}

/** Whether `schema` (or the schema it wraps with optional/default/nullable) was marked installation-only. */
export function isInstallationOnly(schema: z.ZodType): boolean {
  return hasMark(schema, 'installationOnly');
}
