import { startWorker } from './worker-start';

/** Why a plugin module could not be loaded on a probe thread. */
export type LoadProbeFailure = { kind: 'timeout' } | { kind: 'error'; message: string };

/**
 * Loads a plugin module once on a throw-away thread before the host loads it on the main thread for
 * its manifest. A module whose top-level code loops, blocks or exits would otherwise hang or end the
 * whole host at start-up; here it only costs a thread, terminated after `budgetMs`. Resolves with
 * undefined when the module loaded.
 */
export function probeModuleLoad(resolved: string, budgetMs: number): Promise<LoadProbeFailure | undefined> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    try {
      require(workerData.module);
      parentPort.postMessage({ ok: true });
    } catch (error) {
      parentPort.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
    }`;
  const worker = startWorker({ source }, { workerData: { module: resolved }, stdout: true, stderr: true });
  worker.unref();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: LoadProbeFailure | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), budgetMs);
    worker.on('message', (m: { ok: boolean; message?: string }) =>
      settle(m.ok ? undefined : { kind: 'error', message: m.message ?? 'unknown error' }),
    );
    worker.on('error', (error) => settle({ kind: 'error', message: error.message }));
    worker.on('exit', (code) =>
      settle({ kind: 'error', message: `its top-level code ended the thread (exit code ${code})` }),
    );
  });
}
