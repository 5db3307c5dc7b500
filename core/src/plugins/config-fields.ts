import { isInstallationOnly, isSecret } from '@faultline/plugin-sdk';
import type { z } from 'zod';
import type { ForeignSchema } from './manifest';

/** One top-level field of a plugin's config schema. */
export interface ConfigField {
  name: string;
  /** Marked with `secret(...)`: stored encrypted, never returned or logged. */
  secret: boolean;
  /** Marked with `installationOnly(...)`: set only in `PLUGIN_CONFIG_<ID>`, never per organization or project. */
  installationOnly: boolean;
}

/** What the API shows in place of a secret's value. */
export interface MaskedSecret {
  set: true;
}

type Shape = Record<string, ForeignSchema>;

/** The top-level fields of an object schema (zod's `shape`); none for any other schema. */
function shapeOf(schema: ForeignSchema | undefined): Shape {
  const shape = (schema as { shape?: unknown } | undefined)?.shape;
  return typeof shape === 'object' && shape !== null ? (shape as Shape) : {};
}

export function configFields(schema: ForeignSchema | undefined): ConfigField[] {
  return Object.entries(shapeOf(schema)).map(([name, field]) => ({
    name,
    secret: isSecret(field as unknown as z.ZodType),
    installationOnly: isInstallationOnly(field as unknown as z.ZodType),
  }));
}

export function installationOnlyFieldNames(schema: ForeignSchema | undefined): Set<string> {
  return new Set(
    configFields(schema)
      .filter((f) => f.installationOnly)
      .map((f) => f.name),
  );
}

/**
 * An organization's or project's fields without the installation-only ones: a value stored before
 * the plugin marked the field (or written around the API) must not take effect.
 */
export function withoutFields(
  values: Record<string, unknown> | undefined,
  names: Set<string>,
): Record<string, unknown> | undefined {
  if (!values || names.size === 0) return values;
  return Object.fromEntries(Object.entries(values).filter(([key]) => !names.has(key)));
}

export function secretFieldNames(schema: ForeignSchema | undefined): Set<string> {
  return new Set(
    configFields(schema)
      .filter((f) => f.secret)
      .map((f) => f.name),
  );
}

/** The schema of one top-level field, if the config schema is an object that has it. */
export function fieldSchema(schema: ForeignSchema | undefined, name: string): ForeignSchema | undefined {
  const shape = shapeOf(schema);
  return Object.hasOwn(shape, name) ? shape[name] : undefined;
}

/** One field a value failed on: `field` is a dotted path (`(root)` for the whole value). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A failure names its first field (`field`, `message`) and lists every field at fault (`problems`). */
export type Validation =
  { ok: true; data: unknown } | { ok: false; field: string; message: string; problems: FieldProblem[] };

/**
 * Validates against a plugin's schema. A failure lists every field at fault, so an operator fixing
 * a config with two mistakes learns both at once instead of one per restart.
 */
export function validateAgainst(schema: ForeignSchema | undefined, value: unknown, prefix = ''): Validation {
  if (!schema) return { ok: true, data: value };
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const problems = result.error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p.length > 0).join('.');
    return { field: path || '(root)', message: issue.message };
  });
  return { ok: false, field: problems[0].field, message: problems[0].message, problems };
}

/** `a message; b message` (or `a: message` with `separator` `: `), for every field at fault. */
export function describeProblems(problems: FieldProblem[], separator = ' '): string {
  return problems.map((p) => `${p.field}${separator}${p.message}`).join('; ');
}

/** Later layers win, field by field; an `undefined` field leaves the one below in place. */
export function mergeLayers(...layers: (Record<string, unknown> | undefined)[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The config with every secret field replaced by `{ set: true }`. */
export function maskSecrets(
  values: Record<string, unknown>,
  secrets: Set<string>,
): Record<string, unknown | MaskedSecret> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, secrets.has(key) ? { set: true } : value]),
  );
}
