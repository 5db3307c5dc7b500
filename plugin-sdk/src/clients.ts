/**
 * The clients a credential is issued to, and the surfaces a change comes through. Declared here,
 * once, because this is the one package both the plugin SDK's types and core (its database checks,
 * its change records) may import: the SDK never imports core.
 */

/**
 * Who a credential was issued to: `api` a person's own token or script (and organization tokens for
 * CI), `web` the web UI's session cookie, `vscode` the VS Code extension (device sign-in), `slack`
 * and `github` the integrations' organization credentials, `plugin` code running inside Faultline.
 */
export const CLIENTS = ['api', 'web', 'vscode', 'slack', 'github', 'plugin'] as const;
export type Client = (typeof CLIENTS)[number];

export function isClient(text: unknown): text is Client {
  return (CLIENTS as readonly unknown[]).includes(text);
}

/**
 * The integrations: their organization credentials may act for people who linked their account
 * on that provider (a Slack or GitHub user) to Faultline.
 */
export const INTEGRATION_CLIENTS = ['slack', 'github'] as const satisfies readonly Client[];
export type IntegrationClient = (typeof INTEGRATION_CLIENTS)[number];

export function isIntegrationClient(text: unknown): text is IntegrationClient {
  return (INTEGRATION_CLIENTS as readonly unknown[]).includes(text);
}

/**
 * Where a change came from: the client of the credential that made it, or `pipeline` for what
 * nobody asked for (an issue created or regressed by new events, event counts).
 */
export const CHANGE_SURFACES = [...CLIENTS, 'pipeline'] as const;
export type ChangeSurface = (typeof CHANGE_SURFACES)[number];

/** The surface as plugin hooks see it: the pipeline's changes are the `system`'s. */
export type HookSurface = Exclude<ChangeSurface, 'pipeline'> | 'system';

/**
 * The surfaces a plugin may name for a change it makes: a plugin that is a triage surface (a chat
 * or code-host bridge) records its changes as that surface. `web` and `api` are never a plugin's.
 */
export const PLUGIN_SURFACES = ['plugin', 'slack', 'github', 'vscode'] as const satisfies readonly Client[];
export type PluginSurface = (typeof PLUGIN_SURFACES)[number];
