import type { z } from 'zod';
import type { HookSurface } from './clients';
import type { Awaitable } from './hooks';
import type { ChangeOptions, ExternalIssueLink, IssueSummary } from './services';

/**
 * Something a person can do to an issue through a plugin, e.g. "Create GitHub issue" with a
 * repository and labels. The host lists a plugin's actions on every issue of the projects it is on
 * for, with `input` as JSON Schema, so the web UI, the Slack app and the VS Code extension render
 * the form and run the action without knowing the plugin.
 */
export interface IssueActionDefinition<S extends z.ZodType = z.ZodType> {
  /** Lowercase letters, digits and dashes, unique within the plugin, e.g. `create-issue`. */
  id: string;
  /** What a button or menu shows, e.g. `Create GitHub issue`. */
  label: string;
  description?: string;
  /**
   * A zod object schema of the form's fields. Listed over REST as JSON Schema (`z.toJSONSchema`,
   * input side: fields with a default are optional); `run` only sees input that passed it.
   */
  input: S;
  /** Whether the action is offered for this issue (e.g. only when a repository is connected). */
  available?(issue: IssueSummary): Awaitable<boolean>;
  /**
   * Runs the action for a caller who may change the issue. Throw `PluginError` to refuse with a
   * message the caller sees (e.g. "Connect a repository first"); anything else is a failure of the
   * plugin. Runs under the hook time budget (`PLUGIN_HOOK_BUDGET_MS`).
   */
  run(call: IssueActionCall<z.output<S>>): Awaitable<IssueActionResult>;
}

export interface IssueActionCall<I> {
  issue: IssueSummary;
  /** Already validated against the action's `input`. */
  input: I;
  /**
   * Who runs the action, and through which surface (that of their credential: web, api, vscode…).
   * Always a person: a credential without a user (an organization token) cannot run actions.
   */
  actor: { userId: string; surface: HookSurface };
  /**
   * Pass to `IssuesService` calls (`updateStatus`, `assign`, `comment`) made for this run, so the
   * changes are recorded as the caller's (their user and surface), not the plugin's. Valid for this
   * issue while the run lasts.
   */
  changeOptions: ChangeOptions;
}

export interface IssueActionResult {
  /** One sentence for the caller, e.g. `Created acme/api#42`. */
  message: string;
  /** Where to look next, e.g. the created GitHub issue. */
  url?: string;
  /** The external issue the action created or linked (link it with `issues.linkExternalIssue`). */
  externalIssue?: ExternalIssueLink;
}

/** Declares an issue action; return it from `init` as `{ hooks, issueActions: [action] }`. */
export function defineIssueAction<S extends z.ZodType>(
  action: IssueActionDefinition<S>,
): IssueActionDefinition<S> {
  return action;
}
