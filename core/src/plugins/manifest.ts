import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import type { PluginEnvironment } from '@faultline/plugin-sdk';

/** A config schema from whichever copy of zod the plugin uses: anything with `safeParse`. */
export interface ForeignSchema {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: unknown }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

const foreignSchema = z.custom<ForeignSchema>(
  (v) =>
    typeof v === 'object' && v !== null && typeof (v as { safeParse?: unknown }).safeParse === 'function',
  'must be a zod schema',
);

/** What the host checks of a plugin's default export before running any of its code. */
export const manifestSchema = z.object({
  $$type: z.literal('@faultline/plugin', {
    error: 'is not a plugin made with definePlugin() from @faultline/plugin-sdk',
  }),
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes, starting with a letter'),
  version: z.string().refine((v) => semver.valid(v) !== null, 'must be a semver version like 1.2.3'),
  hostVersion: z.string().refine((r) => semver.validRange(r) !== null, 'must be a semver range like ^0.1.0'),
  configSchema: foreignSchema.optional(),
  actionConfigSchema: foreignSchema.optional(),
  description: z.string().max(500).optional(),
  register: z.custom<(env: PluginEnvironment) => void>((v) => typeof v === 'function', 'must be a function'),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** Core's own version, which plugins' `hostVersion` ranges are checked against. */
export const HOST_VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** `PLUGIN_CONFIG_<ID>`'s suffix for a plugin id: upper case, dashes as underscores. */
export function configVariableSuffix(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The `PLUGIN_CONFIG_<ID>` variable holding a plugin's installation config. */
export function configVariable(id: string): string {
  return `PLUGIN_CONFIG_${configVariableSuffix(id)}`;
}
