import type { JobQueue } from '../jobs';
import type { Logger } from '../logging';
import type { PluginHost } from './host';
import { taskQueueName } from './scheduler';

export interface ScheduledTaskOptions {
  queue: JobQueue;
  log: Logger;
  /** Time one run of a task may take (default 60 s). */
  taskBudgetMs?: number;
  /** Runs after the first (default 2), with backoff. */
  retries?: number;
}

/**
 * Puts the tasks plugins scheduled during init on the job queue: one queue and cron schedule per
 * task (`plugin.<id>.task.<name>`), fired once per tick across every process that runs queue
 * maintenance, and run here under the time budget (on the plugin's own thread for plugins loaded by
 * package or path, which the host's `taskBudgetMs` stops). A failed run is counted and retried.
 * Returns the queue names (for tests and health output).
 */
export async function startScheduledTasks(
  host: PluginHost,
  options: ScheduledTaskOptions,
): Promise<string[]> {
  const { queue } = options;
  const budgetMs = options.taskBudgetMs ?? 60_000;
  const names: string[] = [];
  for (const plugin of host.loaded) {
    for (const task of plugin.scheduler.tasks) {
      const name = taskQueueName(plugin.id, task.name);
      const log = options.log.child({ plugin: plugin.id, task: task.name });
      await queue.define(name, {
        retryLimit: options.retries ?? 2,
        retryDelaySeconds: 5,
        retryBackoff: true,
        expireInSeconds: Math.ceil(budgetMs / 1000) + 30,
      });
      await queue.schedule(name, task.cron);
      await queue.work(name, async () => {
        try {
          await host.runIsolated(
            plugin.id,
            () => task.task(),
            budgetMs,
            `plugin ${plugin.id}: task ${task.name}`,
          );
        } catch (err) {
          await host.recordFailure(plugin.id, 'task', err);
          log.warn({ err }, 'plugin task failed');
          throw err;
        }
      });
      names.push(name);
    }
  }
  // Schedules of tasks no loaded plugin declares any more (plugin removed, task renamed) would go
  // on queuing jobs nothing takes: remove them.
  for (const stale of await queue.scheduleNames('plugin.')) {
    if (!stale.includes('.task.') || names.includes(stale)) continue;
    await queue.unschedule(stale);
    options.log.info({ schedule: stale }, 'removed the schedule of a plugin task no longer declared');
  }
  return names;
}
