import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@faultline/plugin-sdk';

/** Who runs an issue action: what `changeOptions.asCaller` records a change as. */
export interface ActionCaller {
  pluginId: string;
  /** The action's issue: `asCaller` is refused for any other. */
  issueId: number;
  userId: number;
  email: string | null;
  surface: Client;
}

/**
 * The issue action running in this async context. Set by the host around the call to the plugin;
 * service calls the plugin makes during it run in that context (on its thread, too: see
 * `PluginThread.answer`), so the issues service can tell a run's changes from a plugin's own,
 * without trusting anything the plugin says about who the caller is.
 */
export const actionCaller = new AsyncLocalStorage<ActionCaller>();
