/**
 * Issue actions as the plugin's side holds them: checked when `init` returns them, described for
 * the host (the input schema as JSON Schema, made with the plugin's own zod), and called. Shared by
 * the plugin's thread (plugin-thread-entry.ts) and the in-process path of host.ts, so both check and
 * run actions the same way. Imports only the SDK: this runs on the plugin's thread too.
 */
import {
  PluginError,
  type ChangeOptions,
  type HookSurface,
  type IssueActionDefinition,
  type IssueSummary,
} from '@faultline/plugin-sdk';
import { jsonSchemaOf } from './json-schema';

/** An action as the host lists it (everything but its functions). */
export interface IssueActionInfo {
  id: string;
  label: string;
  description: string | null;
  /** The input schema as JSON Schema (input side: fields with a default are optional). */
  inputSchema: Record<string, unknown>;
  /** It has an `available` check, to ask per issue. */
  hasAvailable: boolean;
}

/** What the host asks of an action; crosses to the plugin's thread as is. */
export type ActionCallArg =
  | { op: 'available'; issue: IssueSummary }
  | {
      op: 'run';
      issue: IssueSummary;
      input: unknown;
      actor: { userId: string; surface: HookSurface };
      changeOptions: ChangeOptions;
    };

/**
 * How a call went, as data: a refusal (`PluginError` thrown by `run`) and invalid input are answers
 * for the caller, not failures of the plugin. Anything else the action throws rejects the call.
 */
export type ActionCallOutcome =
  | { available: boolean }
  | { invalid: { field: string; message: string }[] }
  | { refused: { message: string; code: string } }
  | { result: unknown };

const ACTION_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

type Action = IssueActionDefinition;

/** The actions `init` returned, by id; names every mistake (as `issueActions[1].id`). */
export function checkIssueActions(list: unknown): Map<string, Action> {
  const actions = new Map<string, Action>();
  if (list === undefined) return actions;
  if (!Array.isArray(list))
    throw new PluginError('init returned issueActions that is not an array of defineIssueAction(...)', {
      code: 'invalid_plugin',
    });
  const problems: string[] = [];
  list.forEach((item: Partial<Action> | null, i) => {
    const at = `issueActions[${i}]`;
    if (typeof item !== 'object' || item === null) return problems.push(`${at} is not an action`);
    if (typeof item.id !== 'string' || !ACTION_ID.test(item.id))
      problems.push(`${at}.id must be lowercase letters, digits and dashes (got ${JSON.stringify(item.id)})`);
    else if (actions.has(item.id)) problems.push(`${at}.id ${item.id} is used twice`);
    if (typeof item.label !== 'string' || item.label.trim() === '') problems.push(`${at}.label is missing`);
    if (item.description !== undefined && typeof item.description !== 'string')
      problems.push(`${at}.description must be text`);
    if (typeof (item.input as { safeParse?: unknown } | undefined)?.safeParse !== 'function')
      problems.push(`${at}.input must be a zod schema`);
    if (typeof item.run !== 'function') problems.push(`${at}.run must be a function`);
    if (item.available !== undefined && typeof item.available !== 'function')
      problems.push(`${at}.available must be a function`);
    if (typeof item.id === 'string' && !actions.has(item.id)) actions.set(item.id, item as Action);
  });
  if (problems.length > 0) throw new PluginError(problems.join('; '), { code: 'invalid_plugin' });
  return actions;
}

/** The actions as the host lists them; an input schema JSON Schema can't express fails the plugin's start. */
export function describeIssueActions(actions: Map<string, Action>): IssueActionInfo[] {
  return [...actions.values()].map((action) => ({
    id: action.id,
    label: action.label,
    description: action.description ?? null,
    inputSchema: inputJsonSchema(action),
    hasAvailable: typeof action.available === 'function',
  }));
}

function inputJsonSchema(action: Action): Record<string, unknown> {
  try {
    return jsonSchemaOf(action.input);
  } catch (error) {
    throw new PluginError(
      `issue action ${action.id}: its input schema cannot be described as JSON Schema (${(error as Error).message})`,
      { code: 'invalid_plugin' },
    );
  }
}

/** Asks action `actionId` whether it is available, or runs it with input checked against its schema. */
export async function performActionCall(
  actions: Map<string, Action>,
  actionId: string,
  arg: ActionCallArg,
): Promise<ActionCallOutcome> {
  const action = actions.get(actionId);
  if (!action)
    throw new PluginError(`the plugin has no issue action ${actionId}`, { code: 'no_such_action' });
  if (arg.op === 'available')
    return { available: action.available ? (await action.available(arg.issue)) === true : true };
  const parsed = action.input.safeParse(arg.input);
  if (!parsed.success)
    return {
      invalid: parsed.error.issues.map((issue) => ({
        field: issue.path.map(String).join('.') || '(input)',
        message: issue.message,
      })),
    };
  try {
    const result = await action.run({
      issue: arg.issue,
      input: parsed.data,
      actor: arg.actor,
      changeOptions: arg.changeOptions,
    });
    return { result };
  } catch (error) {
    // A PluginError (from any copy of the SDK) is the action refusing, with a message for the caller.
    if (error instanceof PluginError) return { refused: { message: error.message, code: error.code } };
    throw error;
  }
}
