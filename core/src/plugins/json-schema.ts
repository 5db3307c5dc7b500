/**
 * Plugins' zod schemas described as JSON Schema for API clients, which build forms from them (the
 * web UI's settings and issue-action forms). Made with the schema's own `toJSONSchema` when it has
 * one: a plugin installed from npm may bring another copy of zod than the host's. Imports only the
 * SDK, so the plugin's thread (issue-action-calls.ts) can use it too.
 */
import { isInstallationOnly, isSecret, z } from '@faultline/plugin-sdk';

export type JsonSchema = Record<string, unknown>;

/** Input side (a field with a default may be left out); what JSON Schema can't say is "anything". */
const OPTIONS = { io: 'input', unrepresentable: 'any' } as const;

/** `schema` as JSON Schema; throws what the conversion threw (e.g. a schema that isn't zod 4's). */
export function jsonSchemaOf(schema: unknown): JsonSchema {
  const own = (schema as { toJSONSchema?: (o: typeof OPTIONS) => unknown }).toJSONSchema;
  const json = own ? own.call(schema, OPTIONS) : z.toJSONSchema(schema as z.ZodType, OPTIONS);
  return json as JsonSchema;
}

/**
 * A plugin's config schema as JSON Schema, its marks said in JSON Schema's words: a `secret(...)`
 * field is `writeOnly` (it can be set, never read back), an `installationOnly(...)` field `readOnly`
 * (organizations and projects can't set it). Null when the plugin has no config schema or one that
 * can't be described; the API still checks values against the plugin's own schema.
 */
export function configJsonSchema(schema: unknown): JsonSchema | null {
  if (!schema) return null;
  let json: JsonSchema;
  try {
    json = jsonSchemaOf(schema);
  } catch {
    return null;
  }
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  const properties = json.properties as Record<string, JsonSchema> | undefined;
  if (!shape || !properties) return json;
  for (const [name, field] of Object.entries(shape)) {
    const property = properties[name];
    if (!property) continue;
    if (isSecret(field as z.ZodType)) property.writeOnly = true;
    if (isInstallationOnly(field as z.ZodType)) property.readOnly = true;
  }
  return json;
}
