import type { Plugin } from '../api/settings';

/** How the API shows a secret that is set: its value never leaves the server. */
function isMaskedSecret(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { set?: unknown }).set === true;
}

/**
 * A JSON Schema object for the fields a project may set on a plugin, for `SchemaForm`. The API
 * describes a plugin's config by its top-level fields (`configFields`), not by their types, so
 * every field is a string here and the API's check of the plugin's own schema names what's wrong.
 * Installation-only fields are left out (only `PLUGIN_CONFIG_<ID>` sets them); secrets are
 * `writeOnly` (a password field, never filled in) and say whether one is set.
 */
export function projectConfigSchema(plugin: Plugin): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const field of plugin.configFields) {
    if (field.installationOnly) continue;
    if (field.secret) {
      properties[field.name] = {
        type: 'string',
        writeOnly: true,
        description: isMaskedSecret(plugin.config[field.name])
          ? 'Set (hidden). Leave empty to keep it.'
          : 'Not set.',
      };
      continue;
    }
    const current = plugin.overrides[field.name];
    properties[field.name] = {
      type: 'string',
      // A one-line field: config values are addresses, names and URLs (no limit is enforced here).
      maxLength: 200,
      ...(typeof current === 'string' ? { default: current } : {}),
      ...(typeof plugin.config[field.name] === 'string' && current === undefined
        ? { description: `From the organization or installation: ${String(plugin.config[field.name])}` }
        : {}),
    };
  }
  return { type: 'object', properties };
}

/**
 * The `config` change a submitted form makes: what was typed, and null for a field this project
 * had set and the form now leaves empty (the level above applies again). An empty secret field is
 * left out, so the stored secret stays.
 */
export function configChange(plugin: Plugin, input: Record<string, unknown>): Record<string, unknown> {
  const change: Record<string, unknown> = { ...input };
  for (const field of plugin.configFields) {
    if (field.secret || field.installationOnly || field.name in input) continue;
    if (plugin.overrides[field.name] !== undefined) change[field.name] = null;
  }
  return change;
}
