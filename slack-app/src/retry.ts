import { setTimeout as sleep } from 'node:timers/promises';

export type Log = (message: string, fields?: Record<string, unknown>) => void;

/**
 * `attempt()` until it succeeds, waiting 0.5 s doubling to 30 s between tries and logging each
 * failure; rejects once `stop` is aborted. Start-up must not hinge on Faultline or Slack answering.
 */
export async function retried<T>(
  log: Log,
  what: string,
  attempt: () => Promise<T>,
  stop: AbortController,
): Promise<T> {
  for (let waitMs = 500; ; waitMs = Math.min(waitMs * 2, 30_000)) {
    try {
      return await attempt();
    } catch (error) {
      if (stop.signal.aborted) throw error;
      log(`${what} failed; retrying in ${waitMs} ms`, { error: String(error) });
      await sleep(waitMs, undefined, { signal: stop.signal });
    }
  }
}
