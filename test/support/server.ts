import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { assertCliBuilt, CLI_PATH, faultlineEnv, killOnExit, REPO_ROOT } from './cli';
import type { DatabaseTarget } from './database';
import { httpRequest } from './http';

/** A port nobody listens on right now (the OS picks it; we release it for the server to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const MAX_LOG_CHARS = 20_000;

/** A long-running `faultline` process (start or worker), its recent output and its exit. */
export class FaultlineProcess {
  private log = '';
  protected readonly exited: Promise<ProcessExit>;
  protected readonly child: ChildProcess;

  constructor(args: string[], env?: Record<string, string>) {
    assertCliBuilt();
    this.child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: REPO_ROOT,
      env: faultlineEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(this.child);
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-MAX_LOG_CHARS);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** What the process printed lately (for failure messages). */
  output(): string {
    return this.log;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, i.e. a graceful shutdown; SIGKILL if it takes longer than `timeoutMs`. Returns the exit. */
  async stop(timeoutMs = 15_000): Promise<ProcessExit> {
    if (this.isRunning) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }

  /** `kill -9`: no shutdown code runs. */
  async kill(): Promise<ProcessExit> {
    if (this.isRunning) this.child.kill('SIGKILL');
    return this.exited;
  }
}

export interface StartOptions {
  port: number;
  /** Extra environment settings (limits…). */
  env?: Record<string, string>;
  /** Extra `faultline start` flags. */
  args?: string[];
  healthTimeoutMs?: number;
}

/** One `faultline start` process on 127.0.0.1. */
export class FaultlineServer extends FaultlineProcess {
  private constructor(
    args: string[],
    env: Record<string, string> | undefined,
    readonly url: string,
  ) {
    super(args, env);
  }

  /** Starts `faultline start` against `target` and resolves once `GET /_health` answers 200. */
  static async start(target: DatabaseTarget, options: StartOptions): Promise<FaultlineServer> {
    const args = ['start', '--host', '127.0.0.1', '--port', String(options.port), ...target.cliArgs];
    const server = new FaultlineServer(
      [...args, ...(options.args ?? [])],
      options.env,
      `http://127.0.0.1:${options.port}`,
    );
    try {
      await server.waitHealthy(options.healthTimeoutMs ?? 30_000);
    } catch (error) {
      await server.kill();
      throw error;
    }
    return server;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastProblem = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.isRunning) {
        const { code, signal } = await this.exited;
        throw new Error(
          `faultline start exited (${code ?? signal}) before it was healthy:\n${this.output()}`,
        );
      }
      try {
        const res = await httpRequest(`${this.url}/_health`, { timeoutMs: 2000 });
        if (res.status === 200) return;
        lastProblem = `status ${res.status}`;
      } catch (error) {
        lastProblem = String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `faultline at ${this.url} was not healthy within ${timeoutMs} ms (${lastProblem}):\n${this.output()}`,
    );
  }
}
