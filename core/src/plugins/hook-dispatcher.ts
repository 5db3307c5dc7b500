import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ChangeActor } from '@faultline/plugin-sdk';
import { LeasedCursor, readChangesAfter, type IssueChangeRecord } from '../changes';
import type { Logger } from '../logging';
import type { LoadedPlugin, PluginHost } from './host';

export interface HookDispatcherOptions {
  knex: Knex;
  log: Logger;
  /** Time one hook call may take (default 5 s). */
  hookBudgetMs?: number;
  /** Attempts per change before it is recorded as failed (default 3). */
  attempts?: number;
  /** Wait before the first retry; doubles for each further one (default 500 ms). */
  retryBackoffMs?: number;
  /** Poll interval (default 250 ms). */
  pollMs?: number;
  /** Changes read per plugin per round (default 100). */
  batchSize?: number;
}

export interface HookDeliveryStats {
  delivered: number;
  failed: number;
}

type IssueHookName = 'onIssueCreated' | 'onIssueRegressed' | 'onIssueStateChanged';
const HOOK_OF_KIND: Partial<Record<IssueChangeRecord['kind'], IssueHookName>> = {
  created: 'onIssueCreated',
  regressed: 'onIssueRegressed',
  state_changed: 'onIssueStateChanged',
};

/**
 * Delivers issue changes from the outbox (`issue_changes`) to plugins' issue hooks, off the request
 * path. Each plugin with issue hooks has a durable cursor (`plugin_hook_cursors`) and is pumped on
 * its own: a plugin that throws or hangs only delays itself. A change is retried with backoff, then
 * counted as failed and skipped; the cursor advances after every change.
 *
 * Across processes, a plugin's cursor row is leased (claimed with `FOR UPDATE SKIP LOCKED`) by one
 * dispatcher at a time, and the lease is checked by every cursor update, so each change is delivered
 * once per plugin. No transaction stays open while plugin code runs: that would hold back the
 * outbox's `xmin` (and so every change stream) and, on PGlite, the only connection. The lease lasts
 * longer than one change's worst case (attempts × budget + backoff); a process that dies after a hook
 * returned but before its cursor update leaves that change to be delivered again (at least once).
 */
export class HookDispatcher {
  private readonly owner = randomUUID();
  private readonly budgetMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly leaseMs: number;
  private readonly busy = new Map<string, Promise<void>>();
  private readonly cursors = new Map<string, LeasedCursor>();
  private readonly stats = new Map<string, HookDeliveryStats>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly host: PluginHost,
    private readonly options: HookDispatcherOptions,
  ) {
    this.budgetMs = options.hookBudgetMs ?? 5000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.backoffMs = options.retryBackoffMs ?? 500;
    const worstCase = this.attempts * this.budgetMs + this.backoffMs * 2 ** this.attempts;
    this.leaseMs = Math.max(30_000, 2 * worstCase);
  }

  /** Plugins with at least one issue hook. */
  get plugins(): LoadedPlugin[] {
    return this.host.loaded.filter((p) => Object.values(HOOK_OF_KIND).some((name) => p.hooks[name]));
  }

  /** What this dispatcher (this process) delivered and gave up on, for one plugin. */
  statsOf(pluginId: string): HookDeliveryStats {
    return { ...(this.stats.get(pluginId) ?? { delivered: 0, failed: 0 }) };
  }

  /** Creates missing cursors (at "now": a new plugin sees changes from its first start on), then polls. */
  async start(): Promise<void> {
    if (this.plugins.length === 0) return;
    await this.ensureCursors();
    const tick = () => {
      if (this.stopped) return;
      this.poll();
      this.timer = setTimeout(tick, this.options.pollMs ?? 250);
    };
    tick();
  }

  /** Stops polling and waits for deliveries in progress (each bounded by the hook budget). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.busy.values()]);
    await LeasedCursor.releaseAll(this.options.knex, 'plugin_hook_cursors', this.owner);
  }

  /** Delivers what is there for every plugin, until each is caught up (for tests and shutdown). */
  async drain(): Promise<void> {
    await this.ensureCursors();
    await Promise.all(
      this.plugins.map(async (p) => {
        await this.busy.get(p.id);
        while ((await this.pump(p)) > 0);
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
      cursor = new LeasedCursor(this.options.knex, row, this.owner, this.leaseMs);
      this.cursors.set(pluginId, cursor);
    }
    return cursor;
  }

  private poll(): void {
    for (const plugin of this.plugins) {
      if (this.busy.has(plugin.id)) continue;
      const run = this.pump(plugin)
        .then(() => undefined)
        .catch((err: unknown) =>
          this.options.log.error({ err, plugin: plugin.id }, 'plugin hook dispatch failed; retrying'),
        )
        .finally(() => this.busy.delete(plugin.id));
      this.busy.set(plugin.id, run);
    }
  }

  /** One round for one plugin: claim its cursor, deliver a batch. Returns the changes handled. */
  private async pump(plugin: LoadedPlugin): Promise<number> {
    const cursor = await this.cursorOf(plugin.id).claim();
    if (!cursor) return 0;
    const changes = await readChangesAfter(this.options.knex, {
      after: cursor,
      limit: this.options.batchSize ?? 100,
    });
    let handled = 0;
    for (const change of changes) {
      if (this.stopped && handled > 0) break;
      const outcome = await this.deliver(plugin, change);
      if (!(await this.advance(plugin.id, change, outcome))) break; // lease lost: another process has it
      handled += 1;
    }
    return handled;
  }

  /** Moves the cursor past `change` and renews the lease, if this dispatcher still holds it. */
  private async advance(pluginId: string, change: IssueChangeRecord, outcome: Outcome): Promise<boolean> {
    const { knex } = this.options;
    return this.cursorOf(pluginId).advance(knex, change.cursor, {
      ...(outcome === 'delivered' ? { delivered: knex.raw('delivered + 1') } : {}),
      ...(outcome === 'failed' ? { failed: knex.raw('failed + 1') } : {}),
    });
  }

  private async deliver(plugin: LoadedPlugin, change: IssueChangeRecord): Promise<Outcome> {
    const name = HOOK_OF_KIND[change.kind];
    const hook = name && plugin.hooks[name];
    if (!name || !hook) return 'skipped';
    const call = () => callHook(plugin, name, change);
    const stats = this.stats.get(plugin.id) ?? { delivered: 0, failed: 0 };
    this.stats.set(plugin.id, stats);
    const log = this.options.log.child({ plugin: plugin.id, hook: name, change: change.cursor });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.host.runIsolated(call, this.budgetMs, `plugin ${plugin.id}: ${name}`);
        stats.delivered += 1;
        return 'delivered';
      } catch (err) {
        if (attempt >= this.attempts) {
          stats.failed += 1;
          log.error({ err, attempts: attempt, failed: stats.failed }, 'plugin hook failed; change skipped');
          return 'failed';
        }
        log.warn({ err, attempt }, 'plugin hook failed; retrying');
        await sleep(this.backoffMs * 2 ** (attempt - 1));
      }
    }
  }
}

type Outcome = 'delivered' | 'failed' | 'skipped';

function callHook(plugin: LoadedPlugin, name: IssueHookName, change: IssueChangeRecord): unknown {
  const ref = { issueId: String(change.issueId), projectId: String(change.projectId) };
  const hooks = plugin.hooks;
  if (name === 'onIssueCreated') return hooks.onIssueCreated?.(ref);
  if (name === 'onIssueRegressed') return hooks.onIssueRegressed?.(ref);
  const data = change.data as { from?: { status?: unknown }; to?: { status?: unknown } };
  const actor: ChangeActor = {
    userId: change.actorUserId === null ? null : String(change.actorUserId),
    surface: change.surface === 'pipeline' ? 'system' : change.surface,
  };
  return hooks.onIssueStateChanged?.({
    ...ref,
    from: String(data.from?.status ?? ''),
    to: String(data.to?.status ?? ''),
    actor,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
