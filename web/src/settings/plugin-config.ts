import type { Plugin } from '../api/settings';

type JsonSchema = Record<string, unknown>;

/** How the API shows a secret that is set: its value never leaves the server. */
function isMaskedSecret(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { set?: unknown }).set === true;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The plugin's config schema from the API, or every field as a string from an API without one. */
function propertiesOf(plugin: Plugin): Record<string, JsonSchema> {
  const properties = plugin.configSchema?.properties as Record<string, JsonSchema> | undefined;
  if (properties) return properties;
  return Object.fromEntries(
    plugin.configFields.map((f) => [
      f.name,
      // One-line fields: config values are mostly addresses, names and URLs.
      {
        type: 'string',
        maxLength: 200,
        ...(f.secret ? { writeOnly: true } : {}),
        readOnly: f.installationOnly,
      },
    ]),
  );
}

/**
 * A JSON Schema object for the fields a project may set on a plugin, for `SchemaForm`: the API's
 * `configSchema` (the plugin's own), less the installation-only fields (`readOnly`: only
 * `PLUGIN_CONFIG_<ID>` sets them). Secrets are `writeOnly` (a password field, never filled in) and
 * say whether one is set. Nothing is required and no default is offered: a project sets only
 * what it changes, and the API checks the config in effect.
 */
export function projectConfigSchema(plugin: Plugin): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, property] of Object.entries(propertiesOf(plugin))) {
    if (property.readOnly === true) continue;
    const rest = { ...property };
    delete rest.default;
    const inherited = plugin.config[name];
    let description = property.description as string | undefined;
    if (property.writeOnly === true)
      description = isMaskedSecret(inherited) ? 'Set (hidden). Leave empty to keep it.' : 'Not set.';
    else if (inherited !== undefined && plugin.overrides[name] === undefined)
      description = `From the organization or installation: ${shown(inherited)}`;
    properties[name] = { ...rest, ...(description ? { description } : {}) };
  }
  return { type: 'object', properties };
}

/** What the form starts with: the values this project set (a secret is never filled in). */
export function projectConfigValues(plugin: Plugin): Record<string, unknown> {
  return Object.fromEntries(Object.entries(plugin.overrides).filter(([, value]) => !isMaskedSecret(value)));
}

/**
 * The `config` change a submitted form makes: what was typed, and null for a field this project
 * had set and the form now leaves empty (the level above applies again). An empty secret field is
 * left out, so the stored secret stays.
 */
export function configChange(plugin: Plugin, input: Record<string, unknown>): Record<string, unknown> {
  const change: Record<string, unknown> = { ...input };
  const schema = projectConfigSchema(plugin).properties as Record<string, JsonSchema>;
  for (const [name, property] of Object.entries(schema)) {
    if (property.writeOnly === true || name in input) continue;
    if (plugin.overrides[name] !== undefined) change[name] = null;
  }
  return change;
}
