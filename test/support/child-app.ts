import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { killOnExit, REPO_ROOT } from './cli';

export interface AppReport {
  step: string;
  eventId: string;
}

/**
 * Runs `test/support/<script>` (TypeScript, through tsx) as its own node process and reads the
 * JSON lines it prints. Killed after `timeoutMs` so a stuck SDK cannot hang the suite.
 */
export class ChildApp {
  private readonly reports: AppReport[] = [];
  private readonly waiters: (() => void)[] = [];
  private stderr = '';
  private closed = false;
  private readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly timer: NodeJS.Timeout;

  constructor(script: string, env: Record<string, string>, timeoutMs = 60_000) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'test', 'support', script)],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    killOnExit(this.child);
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.reports.push(JSON.parse(line) as AppReport);
      } catch {
        this.stderr += `(stdout) ${line}\n`;
      }
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code) => {
        this.closed = true;
        clearTimeout(this.timer);
        this.waiters.splice(0).forEach((wake) => wake());
        resolve(code);
      });
    });
  }

  /** Resolves with the report of `step` once printed; rejects if the app exits without printing it. */
  async report(step: string): Promise<AppReport> {
    for (;;) {
      const found = this.reports.find((r) => r.step === step);
      if (found) return found;
      if (this.closed) {
        throw new Error(`the app exited without reporting "${step}"; stderr:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Writes one line to the app's stdin. */
  send(line: string): void {
    this.child.stdin?.write(line + '\n');
  }

  /** Waits for the process to end; fails with its stderr unless it exited 0. */
  async finished(): Promise<void> {
    const code = await this.exited;
    if (code !== 0)
      throw new Error(`the app exited with ${code ?? this.child.signalCode}; stderr:\n${this.stderr}`);
  }

  kill(): void {
    clearTimeout(this.timer);
    this.child.kill('SIGKILL');
  }
}
