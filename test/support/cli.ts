import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BootstrapResult } from '../../core/src/accounts';
import { SETTINGS_DOC } from '../../core/src/config';

/** Safety net: whatever a failed hook left running dies with the test process. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Kills `child` (SIGKILL) when the test process exits, unless it ended before. */
export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** The monorepo root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The compiled `faultline` CLI the tests run as real processes. */
export const CLI_PATH = path.join(REPO_ROOT, 'core', 'dist', 'cli', 'main.js');

/** Fails with a clear message when the build the e2e tests run is missing. */
export function assertCliBuilt(): void {
  if (!fs.existsSync(CLI_PATH)) {
    throw new Error(
      `${path.relative(REPO_ROOT, CLI_PATH)} is missing: the end-to-end tests run the compiled CLI. ` +
        'Run `npx tsc -b` first (`npm test` does it).',
    );
  }
}

/** One SECRET_KEY for every process of a test run, as instances sharing a database must have. */
export const TEST_SECRET_KEY = randomBytes(32).toString('base64');

/**
 * The environment for a faultline child process: ours, minus every Faultline setting that could leak
 * in from the developer's shell (an empty value means "not set"), plus the test's own settings.
 * SECRET_KEY is set, since `DATABASE_URL` requires it; a test may override or clear it.
 */
export function faultlineEnv(settings: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(SETTINGS_DOC)) env[name] = '';
  env.LOG_LEVEL = 'warn';
  env.SECRET_KEY = TEST_SECRET_KEY;
  return { ...env, ...settings };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `faultline <args>` to completion (killed after `timeoutMs`); `input` is written to its stdin. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  assertCliBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: REPO_ROOT,
      env: faultlineEnv(options.env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    killOnExit(child);
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `faultline bootstrap --json <args>`; throws with the CLI's output when it fails. */
export async function runBootstrap(args: string[]): Promise<BootstrapResult> {
  const result = await runCli(['bootstrap', '--json', ...args]);
  if (result.code !== 0) {
    throw new Error(
      `faultline bootstrap exited with ${result.code ?? result.signal}:\n${result.stderr}${result.stdout}`,
    );
  }
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as BootstrapResult;
  } catch {
    throw new Error(`faultline bootstrap --json printed no JSON object:\n${result.stdout}\n${result.stderr}`);
  }
}
