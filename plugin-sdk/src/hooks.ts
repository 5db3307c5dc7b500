import type { PluginEvent } from './event';
import type { HookSurface } from './clients';
import type { IssueSummary } from './services';

export type Awaitable<T> = T | Promise<T>;

/** Who changed an issue, and through which surface. */
export interface ChangeActor {
  userId: string | null;
  surface: HookSurface;
}

export interface IssueRef {
  issueId: string;
  projectId: string;
}

/** Who an issue is assigned to: a member (user id) or a team (team id); `null` is nobody. */
export type IssueAssignee = { userId: string } | { teamId: string } | null;

/** An issue hook's argument: the issue and the change (an outbox record) that triggered the call. */
export interface IssueChange extends IssueRef {
  /**
   * Identifies the change (its outbox cursor, e.g. `8123-42`). The same on every retry: use it to
   * make the hook idempotent (e.g. as a delivery id the receiving side deduplicates on).
   */
  changeId: string;
}

/** What `processEvent` learns besides the event. */
export interface EventContext {
  /**
   * The project the event was sent to. Read the config in effect there with
   * `await config.forProject(context.projectId)`: the host works it out once per pipeline batch, so
   * calling it for every event costs no query.
   */
  projectId: string;
}

/**
 * What a plugin contributes. Every hook is optional. `processEvent` runs in the pipeline before
 * grouping, under a strict time budget: when it throws or runs out of time, the event goes on
 * unchanged and the plugin's failure count rises.
 */
export interface PluginHooks {
  /** Enrich the event (return a changed copy) or drop it (return `null`). */
  processEvent?(event: PluginEvent, context: EventContext): Awaitable<PluginEvent | null>;
  onIssueCreated?(change: IssueChange): Awaitable<void>;
  onIssueRegressed?(change: IssueChange): Awaitable<void>;
  onIssueStateChanged?(
    change: IssueChange & { from: string; to: string; actor: ChangeActor },
  ): Awaitable<void>;
  onComment?(change: IssueChange & { commentId: string; text: string; actor: ChangeActor }): Awaitable<void>;
  /** The issue's assignee changed (`null`: nobody). */
  onIssueAssigned?(
    change: IssueChange & { from: IssueAssignee; to: IssueAssignee; actor: ChangeActor },
  ): Awaitable<void>;
  /**
   * An alert rule fired and names this plugin as one of its actions. `alert.config` is the action's
   * config from the rule, validated against the plugin's `actionConfigSchema`. Throwing retries the
   * call with backoff (so make the call idempotent by `alert.id`).
   */
  onAlert?(alert: AlertNotification): Awaitable<void>;
  /**
   * Links from an event's in-app frames to their source (e.g. a line on GitHub), asked for while the
   * REST API answers an event detail request, so keep it quick and network-free (the project's config
   * is all most plugins need). Return one entry per frame, in order: a URL, or `null` for a frame the
   * plugin has no link for. Runs under the hook time budget; when it throws, runs out of time or
   * returns something else, the request goes on without this plugin's links and its failure count
   * rises. When several plugins link a frame, the first loaded wins.
   */
  sourceLinks?(request: SourceLinksRequest): Awaitable<(string | null)[]>;
}

/** An in-app stack frame, as `sourceLinks` is given it (Sentry's field names). */
export interface SourceFrame {
  filename?: string;
  abs_path?: string;
  module?: string;
  function?: string;
  lineno?: number;
}

/** What `sourceLinks` is asked about: one event's in-app frames. */
export interface SourceLinksRequest {
  /** The event's project: read its config with `await config.forProject(request.projectId)`. */
  projectId: string;
  /** The event's release, when it has one (often a commit SHA, or `name@sha`). */
  release: string | null;
  frames: SourceFrame[];
}

/** What fired an alert rule. */
export type AlertTrigger =
  | 'issue.created'
  | 'issue.regressed'
  | 'issue.state_changed'
  | 'event_frequency'
  | 'event_unique_user_frequency';

export interface AlertedIssue {
  issue: IssueSummary;
  trigger: AlertTrigger;
  /** A one-line reason, e.g. `New issue` or `Seen 120 times in 5 minutes`. */
  reason: string;
  firedAt: string;
}

/**
 * One notification of an alert action. Without a digest it carries one issue; a rule with a digest
 * collects its fires over the digest window and sends them as one notification with several issues.
 */
export interface AlertNotification<C = Record<string, unknown>> {
  /** Unique per notification and action; the same on every retry. */
  id: string;
  rule: { id: string; name: string };
  project: { id: string; slug: string; name: string };
  organization: { id: string; slug: string };
  digest: boolean;
  issues: AlertedIssue[];
  config: C;
}

/** Names of the hooks, for hosts that check a plugin's contributions. */
export const HOOK_NAMES = [
  'processEvent',
  'onIssueCreated',
  'onIssueRegressed',
  'onIssueStateChanged',
  'onComment',
  'onIssueAssigned',
  'onAlert',
  'sourceLinks',
] as const satisfies readonly (keyof PluginHooks)[];
