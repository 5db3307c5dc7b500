import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  PublishDiagnosticsNotification,
  type Diagnostic,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { killOnExit, REPO_ROOT } from './cli';

/** The language server as the TypeScript build emits it (`npm run build`). */
export const LANGUAGE_SERVER = path.join(REPO_ROOT, 'vscode-extension', 'out', 'server', 'main.js');

/**
 * An editor stand-in: starts the extension's language server over IPC, as VS Code does, and
 * speaks LSP to it, keeping the latest diagnostics per file and the server's own notifications.
 */
export class LspSession {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly notifications: { method: string; params: unknown }[] = [];
  private readonly waiters: (() => void)[] = [];

  private constructor(
    readonly connection: ProtocolConnection,
    private readonly child: ChildProcess,
  ) {}

  static async start(folders: string[], settings: Record<string, unknown>): Promise<LspSession> {
    const child = fork(LANGUAGE_SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    killOnExit(child);
    const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const session = new LspSession(connection, child);
    connection.onNotification(PublishDiagnosticsNotification.type, ({ uri, diagnostics }) => {
      session.diagnostics.set(uri, diagnostics);
      session.wake();
    });
    for (const method of ['faultline/status', 'faultline/authFailed', 'window/logMessage'])
      connection.onNotification(method, (params: unknown) => {
        session.notifications.push({ method, params });
        session.wake();
      });
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      workspaceFolders: folders.map((f) => ({ uri: pathToFileURL(f).toString(), name: path.basename(f) })),
      initializationOptions: settings,
    });
    await connection.sendNotification('initialized', {});
    return session;
  }

  /** Every diagnostic published for a file, flattened with its URI. */
  all(): { uri: string; diagnostic: Diagnostic }[] {
    return [...this.diagnostics].flatMap(([uri, list]) => list.map((diagnostic) => ({ uri, diagnostic })));
  }

  /** Resolves once `check` holds (re-checked on every message from the server). */
  async until<T>(check: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; diagnostics: ${JSON.stringify(this.all())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The server process's id (for memory readings). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // Already gone.
    }
    this.connection.dispose();
    this.child.kill();
  }

  private wake(): void {
    this.waiters.splice(0).forEach((wake) => wake());
  }
}
