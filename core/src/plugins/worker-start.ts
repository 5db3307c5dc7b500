import { Worker, type WorkerOptions } from 'node:worker_threads';

/** What a worker runs: a module file, or CommonJS source evaluated on the thread. */
export type WorkerCode = { file: string } | { source: string };

/**
 * A worker thread running `code`. From sources (tests, tsx) a worker does not inherit tsx's CommonJS
 * hook, so it is registered first.
 */
export function startWorker(code: WorkerCode, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const fromSources = 'file' in code ? code.file.endsWith('.ts') : __filename.endsWith('.ts');
  if ('file' in code && !fromSources) return new Worker(code.file, options);
  const prelude = fromSources ? `require(${JSON.stringify(require.resolve('tsx/cjs'))});\n` : '';
  const body = 'file' in code ? `require(${JSON.stringify(code.file)});` : code.source;
  return new Worker(prelude + body, { ...options, eval: true });
}
