import { isSecret } from '@faultline/plugin-sdk';
import type { z } from 'zod';
import type { ForeignSchema } from './manifest';

/** One top-level field of a plugin's config schema. */
export interface ConfigField {
  name: string;
  /** Marked with `secret(...)`: stored encrypted, never returned or logged. */
  secret: boolean;
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
  }));
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

export type Validation = { ok: true; data: unknown } | { ok: false; field: string; message: string };

/** Validates against a plugin's schema; a failure names the first field at fault (`(root)` for the whole). */
export function validateAgainst(schema: ForeignSchema | undefined, value: unknown, prefix = ''): Validation {
  if (!schema) return { ok: true, data: value };
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter((p) => p.length > 0).join('.');
  return { ok: false, field: path || '(root)', message: issue.message };
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
