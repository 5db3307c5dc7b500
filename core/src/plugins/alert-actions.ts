import type { AlertNotification } from '@faultline/plugin-sdk';
import type { AlertActionPort } from '../alerts';
import { describeProblems, validateAgainst } from './config-fields';
import type { PluginHost } from './host';

/**
 * Alert actions carried out by plugins (`hooks.onAlert`): `check` tells a rule's author what is wrong
 * with an action before the rule is saved; `run` calls the plugin isolated under its time budget and
 * throws when the call failed, so the alert job retries it with backoff.
 */
export class PluginAlertActions implements AlertActionPort {
  constructor(
    private readonly host: PluginHost,
    /** Time one onAlert call may take (default 10 s). */
    private readonly budgetMs = 10_000,
  ) {}

  async check(
    pluginId: string,
    projectId: number,
    config: Record<string, unknown>,
  ): Promise<string | undefined> {
    const plugin = this.host.plugin(pluginId);
    if (!plugin) return `unknown plugin "${pluginId}" (not loaded in this installation)`;
    if (typeof plugin.hooks.onAlert !== 'function') return `plugin "${pluginId}" offers no alert action`;
    if (!(await this.host.isEnabled(pluginId, projectId)))
      return `plugin "${pluginId}" is disabled for this project`;
    const result = validateAgainst(plugin.manifest.actionConfigSchema, config);
    if (!result.ok) return `plugin "${pluginId}": config invalid: ${describeProblems(result.problems)}`;
    return undefined;
  }

  async run(pluginId: string, notification: AlertNotification): Promise<void> {
    const plugin = this.host.plugin(pluginId);
    if (!plugin) throw new Error(`plugin ${pluginId} is not loaded in this process`);
    if (!(await this.host.isEnabled(pluginId, Number(notification.project.id))))
      throw new Error(`plugin ${pluginId} is disabled for project ${notification.project.slug}`);
    const config = validateAgainst(plugin.manifest.actionConfigSchema, notification.config);
    if (!config.ok)
      throw new Error(`plugin ${pluginId}: action config invalid: ${describeProblems(config.problems)}`);
    const alert = { ...notification, config: config.data as Record<string, unknown> };
    try {
      await this.host.invoke(pluginId, 'onAlert', alert, this.budgetMs);
    } catch (error) {
      await this.host.recordFailure(pluginId, 'alert', error);
      throw error;
    }
  }
}
