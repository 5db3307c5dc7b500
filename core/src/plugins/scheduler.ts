import { PluginError, type Awaitable, type Scheduler } from '@faultline/plugin-sdk';

/** One task a plugin scheduled during init. */
export interface ScheduledTask {
  name: string;
  /** Five fields, UTC. */
  cron: string;
  task: () => Awaitable<void>;
}

const TASK_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Minute hour day-of-month month day-of-week: five fields of cron characters. */
const CRON = /^(\S+\s+){4}\S+$/;

/** The job queue's name of a plugin's scheduled task. */
export function taskQueueName(pluginId: string, name: string): string {
  return `plugin.${pluginId}.task.${name}`;
}

/**
 * `coreServices.scheduler` for one plugin: collects the tasks the plugin schedules during init. The
 * host then puts them on the job queue (a cron schedule per task, fired once per tick across every
 * process) in processes that run jobs; elsewhere (the pipeline thread) they are only collected.
 */
export class PluginScheduler implements Scheduler {
  readonly tasks: ScheduledTask[] = [];
  private closed = false;

  constructor(private readonly pluginId: string) {}

  schedule(name: string, cron: string, task: () => Awaitable<void>): void {
    if (this.closed)
      throw new PluginError(`${this.pluginId}: schedule tasks during init (${name} came later)`, {
        code: 'too_late',
      });
    if (!TASK_NAME.test(name))
      throw new PluginError(
        `${this.pluginId}: task name "${name}" must be lowercase letters, digits, dashes and underscores`,
        { code: 'invalid_task' },
      );
    if (!CRON.test(cron.trim()))
      throw new PluginError(`${this.pluginId}: task ${name}: "${cron}" is not a five-field cron expression`, {
        code: 'invalid_task',
      });
    if (typeof task !== 'function')
      throw new PluginError(`${this.pluginId}: task ${name} must be a function`, { code: 'invalid_task' });
    if (this.tasks.some((t) => t.name === name))
      throw new PluginError(`${this.pluginId}: task ${name} is scheduled twice`, { code: 'invalid_task' });
    this.tasks.push({ name, cron: cron.trim(), task });
  }

  /** After init: later calls are refused (they would never reach the queue). */
  close(): void {
    this.closed = true;
  }
}
