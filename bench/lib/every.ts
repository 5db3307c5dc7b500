/** A ticker the benchmarks sample with (progress, Postgres sessions). */

/**
 * Runs `body` every `everyMs` (first right away when `immediate`) until stopped. `stop()` cuts the
 * pause short and resolves once a body in progress has finished.
 */
export function every(
  everyMs: number,
  immediate: boolean,
  body: () => Promise<void>,
): { stop: () => Promise<void> } {
  let running = true;
  let cutPause: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      cutPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    const startedAt = Date.now();
    for (let n = immediate ? 0 : 1; running; n++) {
      const wait = startedAt + n * everyMs - Date.now();
      if (wait > 0) await pause(wait);
      if (running) await body();
    }
  })();
  return {
    stop: () => {
      running = false;
      cutPause?.();
      return loop;
    },
  };
}
