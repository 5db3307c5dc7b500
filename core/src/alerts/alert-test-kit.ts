import type { AlertNotification } from '@faultline/plugin-sdk';
import type { AlertActionPort } from './actions';

/** How a test plugin behind `RecordingActions` behaves. */
export interface TestActionPlugin {
  /** Default true. */
  enabled?: boolean;
  /** Default true. */
  hasAlertAction?: boolean;
  /** Config fields that must be non-empty strings. */
  required?: string[];
  /** Fail this many calls before succeeding (Infinity: always). */
  failures?: number;
  /** Fail every call with an error carrying this `code`, as a plugin's `PluginError` does. */
  failCode?: string;
}

/**
 * A real implementation of the port for tests (the port is the boundary between alerts and the
 * plugin host): it knows a fixed set of plugins, checks actions the way the host does and records
 * every notification it is asked to deliver.
 */
export class RecordingActions implements AlertActionPort {
  readonly runs: { pluginId: string; notification: AlertNotification }[] = [];
  private readonly failed = new Map<string, number>();

  constructor(private readonly plugins: Record<string, TestActionPlugin>) {}

  async check(
    pluginId: string,
    _projectId: number,
    config: Record<string, unknown>,
  ): Promise<string | undefined> {
    const plugin = this.plugins[pluginId];
    if (!plugin) return `unknown plugin "${pluginId}"`;
    if (plugin.enabled === false) return `plugin "${pluginId}" is disabled for this project`;
    if (plugin.hasAlertAction === false) return `plugin "${pluginId}" offers no alert action`;
    const missing = (plugin.required ?? []).find((f) => typeof config[f] !== 'string' || config[f] === '');
    return missing === undefined ? undefined : `config invalid: ${missing} is required`;
  }

  async run(pluginId: string, notification: AlertNotification): Promise<void> {
    this.runs.push({ pluginId, notification });
    const failCode = this.plugins[pluginId]?.failCode;
    if (failCode !== undefined)
      throw Object.assign(new Error(`${pluginId} failed with ${failCode}`), { code: failCode });
    const failures = this.plugins[pluginId]?.failures ?? 0;
    const seen = this.failed.get(notification.id) ?? 0;
    if (seen < failures) {
      this.failed.set(notification.id, seen + 1);
      throw new Error(`${pluginId} is unreachable (attempt ${seen + 1})`);
    }
  }

  runsOf(pluginId: string): AlertNotification[] {
    return this.runs.filter((r) => r.pluginId === pluginId).map((r) => r.notification);
  }
}
