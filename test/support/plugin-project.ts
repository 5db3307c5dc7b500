import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './cli';

const run = promisify(execFile);

/** What `npm pack` made of the packages a plugin author installs, by package name. */
export type Tarballs = Record<string, string>;

/**
 * `npm pack`s workspaces of this repository (built already: `npx tsc -b`) into `dest`, as they would
 * be published. `--ignore-scripts`: their `prepack` builds, which the test run did before.
 */
export async function packWorkspaces(workspaces: string[], dest: string): Promise<Tarballs> {
  const { stdout } = await run(
    'npm',
    [
      'pack',
      '--json',
      '--ignore-scripts',
      '--pack-destination',
      dest,
      ...workspaces.flatMap((w) => ['-w', w]),
    ],
    { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
  );
  const packed = JSON.parse(stdout) as { name: string; filename: string }[];
  return Object.fromEntries(packed.map((p) => [p.name, path.join(dest, p.filename)]));
}

/** A folder outside the repository (the system's temporary folder), so no workspace can be found from it. */
export function outsideRepository(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (path.relative(REPO_ROOT, dir).split(path.sep)[0] !== '..')
    throw new Error(`${dir} is inside the repository`);
  return dir;
}

/**
 * `npm install` in `dir`, from the npm cache where it can (the packages the repository installed
 * are there), else the registry; never from this repository's workspaces.
 */
export async function npmInstall(dir: string, args: string[] = []): Promise<void> {
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...args], {
    cwd: dir,
    env: cleanNpmEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Runs an npm script or command in `dir`; resolves with its output, rejects with it. */
export async function runIn(dir: string, command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd: dir,
      env: cleanNpmEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${dir}: ${e.message}\n${e.stdout}\n${e.stderr}`);
  }
}

/**
 * The environment without what npm or mocha set for this test run (a workspace, a preloaded tsx or
 * reflect-metadata): the plugin project must work on its own.
 */
function cleanNpmEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (/^npm_/i.test(name) || name === 'NODE_OPTIONS' || name === 'NODE_PATH') delete env[name];
  return env;
}
