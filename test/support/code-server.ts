import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { killOnExit, REPO_ROOT } from './cli';
import { httpRequest } from './http';
import { freePort } from './server';

const run = promisify(execFile);

/** Installs code-server from the npm registry into a cache outside the repository (see the script). */
export const CODE_SERVER_INSTALLER = path.join(REPO_ROOT, 'scripts', 'install-code-server.sh');

/**
 * Runs the installer (seconds once cached; a few minutes the first time) and returns the folder of
 * the code-server package. Rejects with the installer's own words when it can't install.
 */
export async function installCodeServer(): Promise<string> {
  try {
    const { stdout } = await run(CODE_SERVER_INSTALLER, [], { timeout: 15 * 60_000, maxBuffer: 64 << 20 });
    return stdout.trim().split('\n').pop()!;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`code-server could not be installed: ${(stderr ?? String(error)).trim().slice(-2000)}`);
  }
}

export interface CodeServerOptions {
  /** What installCodeServer returned. */
  codeServer: string;
  /** The folder to open. */
  workspace: string;
  /** The .vsix to install before starting. */
  vsix: string;
  /** User settings (settings.json). */
  settings: Record<string, unknown>;
}

/**
 * code-server (VS Code 1.100 with a Node extension host) serving one workspace on loopback, with
 * its own config, user data and extensions folders (it writes to the home folder otherwise), and
 * the extension installed from its .vsix as a user would.
 */
export class CodeServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly home: string,
    private readonly exited: Promise<void>,
  ) {}

  static async start({ codeServer, workspace, vsix, settings }: CodeServerOptions): Promise<CodeServer> {
    const home = mkdtempSync(path.join(os.tmpdir(), 'faultline-code-server-'));
    const userData = path.join(home, 'user-data');
    mkdirSync(path.join(userData, 'User'), { recursive: true });
    writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    const config = path.join(home, 'config.yaml');
    writeFileSync(config, 'auth: none\ncert: false\n');
    const entry = path.join(codeServer, 'out', 'node', 'entry.js');
    const common = [
      '--config',
      config,
      '--user-data-dir',
      userData,
      '--extensions-dir',
      path.join(home, 'extensions'),
    ];
    await run(process.execPath, [entry, ...common, '--install-extension', vsix], { timeout: 120_000 });

    const port = await freePort();
    // Its own process group: the extension host outlives code-server briefly, and goes with the group.
    const child = spawn(
      process.execPath,
      [
        entry,
        ...common,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        workspace,
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home } },
    );
    killOnExit(child);
    let log = '';
    const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-10_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const server = new CodeServer(url, child, home, exited);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const answer = await httpRequest(`${url}/healthz`).catch(() => undefined);
      if (answer?.status === 200) return server;
      if (child.exitCode !== null || Date.now() > deadline) {
        await server.stop();
        throw new Error(`code-server did not start: ${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.pid) {
      try {
        process.kill(-this.child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const killed = setTimeout(() => {
        try {
          process.kill(-this.child.pid!, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }, 5000);
      await this.exited;
      clearTimeout(killed);
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}
