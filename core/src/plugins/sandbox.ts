import vm from 'node:vm';
import { PluginTimeoutError } from '@faultline/plugin-sdk';
import { budgetText } from './budget-setting';

/**
 * Runs plugin code on the calling thread under a time budget. The PluginHost uses it only for plugin
 * objects handed to it in code (tests); plugins loaded by package name or path run on their own
 * worker thread (PluginThread), where any overrun is stopped by terminating the thread.
 *
 * The synchronous part runs through a `node:vm` script with `timeout`, whose watchdog interrupts the
 * isolate — a busy loop is cut off, whichever realm its function belongs to. What the call returns
 * is awaited for the rest of the budget; a promise that never settles is abandoned. Limit: a busy
 * loop *after* an `await` inside the plugin runs as a microtask outside the script and is not
 * interrupted. An async call whose timer fires late because the loop was blocked gets its remaining
 * time once more, so a neighbour's busy loop does not count as this plugin's failure.
 */
/** A timer this late means the event loop was blocked while it waited. */
const LATE_MS = 10;

export class Sandbox {
  private readonly context = vm.createContext({ __call: undefined as (() => unknown) | undefined });
  private readonly script = new vm.Script('__call()', { filename: 'faultline-plugin-call.js' });

  /** `setting`: the setting that sets `budgetMs`, named in the timeout's message. */
  async run<T>(call: () => T | Promise<T>, budgetMs: number, what: string, setting?: string): Promise<T> {
    const started = performance.now();
    let result: unknown;
    this.context.__call = call;
    try {
      result = this.script.runInContext(this.context, { timeout: budgetMs, breakOnSigint: false });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
        throw new PluginTimeoutError(
          `${what} ran longer than ${budgetText(budgetMs, setting)} and was interrupted`,
          budgetMs,
        );
      throw error;
    } finally {
      this.context.__call = undefined;
    }
    if (!isThenable(result)) return result as T;
    const remaining = Math.max(0, budgetMs - (performance.now() - started));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const arm = (ms: number, extended: boolean) => {
        const due = performance.now() + ms;
        timer = setTimeout(() => {
          // Fired late: the event loop was blocked (often by another plugin's busy loop), so this
          // call did not get its time. It gets its remaining budget once more, no more.
          if (!extended && performance.now() - due > LATE_MS) arm(remaining, true);
          else
            reject(
              new PluginTimeoutError(
                `${what} did not finish within ${budgetText(budgetMs, setting)}`,
                budgetMs,
              ),
            );
        }, ms);
      };
      arm(remaining, false);
    });
    try {
      return (await Promise.race([result, timeout])) as T;
    } finally {
      clearTimeout(timer);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
