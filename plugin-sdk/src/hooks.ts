import type { PluginEvent } from './event';

export type Awaitable<T> = T | Promise<T>;

/** Who changed an issue, and through which surface. */
export interface ChangeActor {
  userId: string | null;
  surface: 'api' | 'slack' | 'vscode' | 'github' | 'plugin' | 'system';
}

export interface IssueRef {
  issueId: string;
  projectId: string;
}

/**
 * What a plugin contributes. Every hook is optional. `processEvent` runs in the pipeline before
 * grouping, under a strict time budget: when it throws or runs out of time, the event goes on
 * unchanged and the plugin's failure count rises.
 */
export interface PluginHooks {
  /** Enrich the event (return a changed copy) or drop it (return `null`). */
  processEvent?(event: PluginEvent): Awaitable<PluginEvent | null>;
  onIssueCreated?(change: IssueRef): Awaitable<void>;
  onIssueRegressed?(change: IssueRef): Awaitable<void>;
  onIssueStateChanged?(change: IssueRef & { from: string; to: string; actor: ChangeActor }): Awaitable<void>;
  onComment?(change: IssueRef & { commentId: string; text: string; actor: ChangeActor }): Awaitable<void>;
}

/** Names of the hooks, for hosts that check a plugin's contributions. */
export const HOOK_NAMES = [
  'processEvent',
  'onIssueCreated',
  'onIssueRegressed',
  'onIssueStateChanged',
  'onComment',
] as const satisfies readonly (keyof PluginHooks)[];
