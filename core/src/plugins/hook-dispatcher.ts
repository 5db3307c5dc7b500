import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ChangeActor, IssueAssignee, PluginHooks } from '@faultline/plugin-sdk';
import { LeasedCursor, type IssueChangeRecord } from '../changes';
import { SignalLoop, type RoundOutcome } from '../db';
import { parseAssigneeRef } from '../issues';
import type { JobContext, JobQueue } from '../jobs';
import type { Logger } from '../logging';
import type { LoadedPlugin, PluginHost } from './host';

export interface HookDispatcherOptions {
  knex: Knex;
  log: Logger;
  queue: JobQueue;
  /** Time one hook call may take (default 5 s). */
  hookBudgetMs?: number;
  /** Calls per change before it is given up (default 3). */
  attempts?: number;
  /** Wait before the first retry; doubled for each further one (default 2 s). */
  retryDelaySeconds?: number;
  /** Gap between fan-out rounds while changes keep coming (default 250 ms). */
  pollMs?: number;
  /** The fan-out's safety-net poll when no change is announced (default 30 s). */
  idlePollMs?: number;
  /** Changes read per plugin per round (default 100). */
  batchSize?: number;
  /** Hook calls of one plugin running at once in this process (default 1). */
  concurrency?: number;
}

export interface HookDeliveryStats {
  delivered: number;
  /** Failed calls (each retry counts). */
  failed: number;
}

type IssueHookName =
  'onIssueCreated' | 'onIssueRegressed' | 'onIssueStateChanged' | 'onComment' | 'onIssueAssigned';
const HOOK_OF_KIND: Partial<Record<IssueChangeRecord['kind'], IssueHookName>> = {
  created: 'onIssueCreated',
  regressed: 'onIssueRegressed',
  state_changed: 'onIssueStateChanged',
  commented: 'onComment',
  assigned: 'onIssueAssigned',
};

/** What a hook job carries: the change, as the outbox recorded it. */
interface HookJob {
  cursor: string;
  kind: IssueChangeRecord['kind'];
  issueId: number;
  projectId: number;
  surface: IssueChangeRecord['surface'];
  actorUserId: number | null;
  data: Record<string, unknown>;
}

/** The job queue's name for one plugin's issue hooks. */
export function hookQueueName(pluginId: string): string {
  return `plugin.${pluginId}.hooks`;
}

/**
 * Delivers issue changes from the outbox (`issue_changes`) to plugins' issue hooks through the job
 * queue, off the request path. Two halves:
 *
 * - Fan-out: each plugin with issue hooks has a durable cursor (`plugin_hook_cursors`), leased by
 *   one process at a time. A round reads a batch of changes and, in one transaction, enqueues one
 *   job per change the plugin has a hook for (and is enabled for, in the change's project) and
 *   advances the cursor, checked against the lease: each change becomes one job per plugin, however
 *   many processes share the database, and no plugin code runs while a transaction is open.
 * - Delivery: each plugin's jobs (`plugin.<id>.hooks`) are taken by one worker at a time across
 *   processes; the hook runs isolated under its budget; a failure is counted (`plugin_failures`) and
 *   retried with backoff by the queue, then given up. A plugin that throws or hangs only holds up its
 *   own queue.
 *
 * The fan-out runs when changes are announced (the `changes` signal, from any process), with a slow
 * poll as the safety net. A built-in plugin (off unless turned on) that no organization or project
 * has turned on reads nothing: its cursor is moved past the changes unread.
 */
export class HookDispatcher {
  private readonly owner = randomUUID();
  private readonly budgetMs: number;
  private readonly attempts: number;
  private readonly busy = new Map<string, Promise<void>>();
  private readonly cursors = new Map<string, LeasedCursor>();
  private readonly stats = new Map<string, HookDeliveryStats>();
  private loop: SignalLoop | undefined;

  constructor(
    private readonly host: PluginHost,
    private readonly options: HookDispatcherOptions,
  ) {
    this.budgetMs = options.hookBudgetMs ?? 5000;
    this.attempts = Math.max(1, options.attempts ?? 3);
  }

  /** Plugins with at least one issue hook. */
  get plugins(): LoadedPlugin[] {
    return this.host.loaded.filter((p) => Object.values(HOOK_OF_KIND).some((name) => p.hooks[name]));
  }

  /** What this process delivered and saw fail, for one plugin. */
  statsOf(pluginId: string): HookDeliveryStats {
    return { ...(this.stats.get(pluginId) ?? { delivered: 0, failed: 0 }) };
  }

  /** Defines the plugins' queues, creates missing cursors (at "now"), starts working and polling. */
  async start(): Promise<void> {
    const plugins = this.plugins;
    if (plugins.length === 0) return;
    await this.ensureCursors();
    const { queue } = this.options;
    for (const plugin of plugins) {
      const name = hookQueueName(plugin.id);
      await queue.define(name, {
        retryLimit: this.attempts - 1,
        retryDelaySeconds: this.options.retryDelaySeconds ?? 2,
        retryBackoff: true,
        // The host ends a call at its budget (on the plugin's thread); the queue's expiry is a backstop.
        expireInSeconds: Math.ceil(this.budgetMs / 1000) + 30,
      });
      await queue.work<HookJob>(
        name,
        (job, ctx) => this.deliver(plugin, job, ctx),
        this.options.concurrency ?? 1,
      );
    }
    this.loop = new SignalLoop({
      knex: this.options.knex,
      wakeOn: ['changes'],
      round: () => this.round(),
      onError: (err) => this.options.log.error({ err }, 'plugin hook fan-out failed; retrying'),
      activeMs: this.options.pollMs,
      idleMs: this.options.idlePollMs,
    });
    this.loop.start();
  }

  /** Stops the fan-out and releases its leases (the queue, shared, is stopped by its owner). */
  async stop(): Promise<void> {
    await this.loop?.stop();
    await Promise.allSettled([...this.busy.values()]);
    await LeasedCursor.releaseAll(this.options.knex, 'plugin_hook_cursors', this.owner);
  }

  /** Enqueues what is in the outbox for every plugin, until each is caught up (for tests). */
  async drain(): Promise<void> {
    await this.ensureCursors();
    await Promise.all(
      this.plugins.map(async (p) => {
        await this.busy.get(p.id);
        while ((await this.fanOut(p)) > 0);
      }),
    );
  }

  private async ensureCursors(): Promise<void> {
    const ids = this.plugins.map((p) => p.id);
    await LeasedCursor.ensureAll(this.options.knex, 'plugin_hook_cursors', 'plugin_id', ids);
  }

  private cursorOf(pluginId: string): LeasedCursor {
    let cursor = this.cursors.get(pluginId);
    if (!cursor) {
      const row = { table: 'plugin_hook_cursors', keyColumn: 'plugin_id', key: pluginId };
      cursor = new LeasedCursor(this.options.knex, row, this.owner, 30_000);
      this.cursors.set(pluginId, cursor);
    }
    return cursor;
  }

  /** A round of the loop: each plugin with new changes (and turned on somewhere) fans them out. */
  private async round(): Promise<RoundOutcome> {
    const outcomes = await Promise.all(
      this.plugins.map(async (plugin): Promise<RoundOutcome> => {
        if (this.busy.has(plugin.id)) return 'some';
        const run = this.roundOf(plugin);
        const settled = run.then(
          () => undefined,
          () => undefined,
        );
        this.busy.set(plugin.id, settled);
        try {
          return await run;
        } catch (err) {
          this.options.log.error({ err, plugin: plugin.id }, 'plugin hook fan-out failed; retrying');
          return 'none';
        } finally {
          this.busy.delete(plugin.id);
        }
      }),
    );
    return outcomes.includes('more') ? 'more' : outcomes.includes('some') ? 'some' : 'none';
  }

  private async roundOf(plugin: LoadedPlugin): Promise<RoundOutcome> {
    const cursor = this.cursorOf(plugin.id);
    if (!(await cursor.hasNew())) return 'none';
    // A built-in is off unless turned on: with no organization or project turning it on, skip.
    if (this.host.offUnlessTurnedOn(plugin.id)) {
      const idle = this.options.knex.raw(
        'NOT EXISTS (SELECT 1 FROM plugin_settings WHERE plugin_id = ? AND enabled)',
        [plugin.id],
      );
      if (await cursor.skipToNow(idle)) return 'none';
    }
    const handled = await this.fanOut(plugin);
    return handled >= (this.options.batchSize ?? 100) ? 'more' : handled > 0 ? 'some' : 'none';
  }

  /** One round for one plugin: claim its cursor, enqueue a batch's jobs and advance, atomically. */
  private fanOut(plugin: LoadedPlugin): Promise<number> {
    const { queue } = this.options;
    return this.cursorOf(plugin.id).consume(this.options.batchSize ?? 100, async (changes) => {
      const wanted: IssueChangeRecord[] = [];
      for (const change of changes) {
        const hook = HOOK_OF_KIND[change.kind];
        if (hook && plugin.hooks[hook] && (await this.host.isEnabled(plugin.id, change.projectId)))
          wanted.push(change);
      }
      return async (trx) => {
        // In outbox order: with one worker (the default), a plugin sees an issue's changes in the
        // order they were made (an unassign before the assign that follows it).
        await queue.sendInOrder(hookQueueName(plugin.id), wanted.map(jobOf), { trx });
        // `delivered` on the cursor row now counts jobs handed to the queue (`failed` stays unused:
        // failed calls are counted in plugin_failures).
        return { delivered: trx.raw('delivered + ?', [wanted.length]) };
      };
    });
  }

  /** Runs one hook job; throws (so the queue retries) when the hook failed. */
  private async deliver(plugin: LoadedPlugin, job: HookJob, ctx: JobContext): Promise<void> {
    const name = HOOK_OF_KIND[job.kind];
    if (!name || !plugin.hooks[name]) return;
    // Turned off for the project since the job was queued.
    if (!(await this.host.isEnabled(plugin.id, job.projectId))) return;
    const stats = this.stats.get(plugin.id) ?? { delivered: 0, failed: 0 };
    this.stats.set(plugin.id, stats);
    try {
      await this.host.invoke(plugin.id, name, hookArgument(name, job) as never, this.budgetMs);
      stats.delivered += 1;
    } catch (err) {
      stats.failed += 1;
      await this.host.recordFailure(plugin.id, 'hook', err);
      const last = ctx.retryCount + 1 >= this.attempts;
      const log = this.options.log.child({ plugin: plugin.id, hook: name, change: job.cursor });
      if (last) log.error({ err, attempts: ctx.retryCount + 1 }, 'plugin hook failed; change given up');
      else log.warn({ err, attempt: ctx.retryCount + 1 }, 'plugin hook failed; retrying');
      throw err;
    }
  }
}

function jobOf(change: IssueChangeRecord): HookJob {
  return {
    cursor: change.cursor,
    kind: change.kind,
    issueId: change.issueId,
    projectId: change.projectId,
    surface: change.surface,
    actorUserId: change.actorUserId,
    data: change.data,
  };
}

/** The argument of the hook for a change. */
function hookArgument(
  name: IssueHookName,
  job: HookJob,
): Parameters<NonNullable<PluginHooks[IssueHookName]>>[0] {
  // The outbox cursor names the change, so it is the same on every retry of the job.
  const ref = { issueId: String(job.issueId), projectId: String(job.projectId), changeId: job.cursor };
  if (name === 'onIssueCreated' || name === 'onIssueRegressed') return ref;
  const actor: ChangeActor = {
    userId: job.actorUserId === null ? null : String(job.actorUserId),
    surface: job.surface === 'pipeline' ? 'system' : job.surface,
  };
  if (name === 'onComment') {
    const data = job.data as { commentId?: unknown; text?: unknown };
    return { ...ref, commentId: String(data.commentId ?? ''), text: String(data.text ?? ''), actor };
  }
  if (name === 'onIssueAssigned') {
    const data = job.data as { from?: unknown; to?: unknown };
    return { ...ref, from: assigneeOf(data.from), to: assigneeOf(data.to), actor };
  }
  const data = job.data as { from?: { status?: unknown }; to?: { status?: unknown } };
  return { ...ref, from: String(data.from?.status ?? ''), to: String(data.to?.status ?? ''), actor };
}

/** An `assigned` change's `user:ID` / `team:ID` (as the issues domain records it) for a hook. */
function assigneeOf(recorded: unknown): IssueAssignee {
  const ref = typeof recorded === 'string' ? parseAssigneeRef(recorded) : undefined;
  if (!ref) return null;
  return 'userId' in ref ? { userId: String(ref.userId) } : { teamId: String(ref.teamId) };
}
