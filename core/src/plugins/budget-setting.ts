/**
 * The setting that sets a call's time budget, so a timeout message says what to change: an operator
 * reading "ran longer than 50 ms" should not have to search the docs for the knob.
 */
export function budgetSetting(kind: 'hook' | 'task' | 'route' | 'action', name: string): string | undefined {
  if (kind === 'hook') return name === 'processEvent' ? 'PLUGIN_EVENT_BUDGET_MS' : 'PLUGIN_HOOK_BUDGET_MS';
  // A route handler's budget is the hook budget (runtime/plugin-host-options.ts); a task's is fixed.
  // An issue action's too.
  return kind === 'route' || kind === 'action' ? 'PLUGIN_HOOK_BUDGET_MS' : undefined;
}

/** `50 ms (PLUGIN_EVENT_BUDGET_MS)`, or `60000 ms` for a budget no setting changes. */
export function budgetText(budgetMs: number, setting: string | undefined): string {
  return setting ? `${budgetMs} ms (${setting})` : `${budgetMs} ms`;
}
