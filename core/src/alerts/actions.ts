import type { AlertNotification } from '@faultline/plugin-sdk';

/**
 * How alerts reach the plugins that carry out their actions. Defined here, implemented by the plugin
 * host (`core/src/plugins/alert-actions.ts`): alerts never load or call plugin code themselves.
 */
export interface AlertActionPort {
  /**
   * undefined when the action is usable for this project; otherwise a sentence naming the problem
   * (unknown plugin / disabled for this project / offers no alert action / config invalid: <field> <msg>).
   */
  check(pluginId: string, projectId: number, config: Record<string, unknown>): Promise<string | undefined>;
  /** Calls the plugin's onAlert under its time budget; throws when it failed (the job retries). */
  run(pluginId: string, notification: AlertNotification): Promise<void>;
}
