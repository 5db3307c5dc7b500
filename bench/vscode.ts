/**
 * VS Code language-server benchmark: `npm run bench:vscode` (after `tsc -b`).
 *
 * A real `faultline start` on a fresh Postgres database holding N unresolved issues (default 5,000,
 * each thrown in a file of its own), and a workspace of F files (default 20,000) holding those
 * files and filler. The extension's language server is started over IPC as VS Code starts it and
 * measured as VS Code would use it:
 *
 * - initial sync: from `initialized` until the first diagnostics arrive, and until the status says
 *   connected with every issue placed (target < 3 s), and how many requests it took (the
 *   server's own "initial sync:" line);
 * - memory: the server process's resident set after the sync (target < 150 MB);
 * - change latency: an issue resolved through the API, until its diagnostic is withdrawn, C times
 *   one after the other; p50 and p95 (target p95 < 2 s).
 *
 * Flags (or environment): --issues / BENCH_VSCODE_ISSUES, --files / BENCH_VSCODE_FILES,
 * --changes / BENCH_VSCODE_CHANGES (20). A smoke run: `-- --issues=50 --files=200 --changes=3`.
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ok } from '@faultline/api-client';
import { errorEvent, storeEvents } from '../core/src/api/api-test-kit';
import { LspSession } from '../test/support/lsp-client';
import { startStack } from '../test/support/stack';
import { editorToken } from '../test/support/vscode-workspace';
import { parseTestDsn } from '../test/support/envelopes';
import { BenchFlags } from './lib/flags';
import { log, runBenchmark } from './lib/harness';

/** Where errorEvent puts its in-app frame: `src/<function>.js`, line 42. */
const FRAME_LINE = 42;

function residentMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main(): Promise<void> {
  const flags = new BenchFlags(process.argv.slice(2));
  const issues = flags.num('issues', 'BENCH_VSCODE_ISSUES', 5000, 1, 100_000);
  const files = Math.max(issues, flags.num('files', 'BENCH_VSCODE_FILES', 20_000, 1, 500_000));
  const changes = Math.min(issues, flags.num('changes', 'BENCH_VSCODE_CHANGES', 20, 1, 1000));

  const workspace = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-vscode-'));
  try {
    log(`workspace: ${issues} files with an issue and ${files - issues} others`);
    const body = Array.from({ length: FRAME_LINE + 3 }, (_, i) => `// line ${i + 1}`);
    for (let i = 0; i < files; i++) {
      const folder = path.join(workspace, 'src', `part${Math.floor(i / 500)}`);
      mkdirSync(folder, { recursive: true });
      if (i < issues) {
        const lines = [...body];
        lines[FRAME_LINE - 1] = `  fn${i}();`;
        writeFileSync(path.join(workspace, 'src', `fn${i}.js`), lines.join('\n'));
      } else writeFileSync(path.join(folder, `other${i}.ts`), 'export {};\n');
    }

    log(`server: ${issues} unresolved issues on Postgres`);
    const stack = await startStack('postgres', {
      prepare: async (knex, setup) => {
        const projectId = parseTestDsn(setup.dsn).projectId;
        for (let from = 0; from < issues; from += 500) {
          const batch = Array.from({ length: Math.min(500, issues - from) }, (_, k) =>
            errorEvent({ type: 'Error', value: `failure ${from + k}`, functionName: `fn${from + k}` }),
          );
          await storeEvents(knex, projectId, batch);
        }
      },
    });
    try {
      const token = await editorToken(stack);
      const started = Date.now();
      const session = await LspSession.start([workspace], {
        serverUrl: stack.baseUrl,
        token,
        organization: stack.setup.organization,
      });
      await session.until(() => session.all().length > 0, 300_000, 'the first diagnostics');
      const firstDiagnosticsMs = Date.now() - started;
      await session.until(
        () =>
          session.notifications.some(
            (n) =>
              n.method === 'faultline/status' &&
              (n.params as { state: string; count: number }).state === 'connected' &&
              (n.params as { count: number }).count === issues,
          ),
        300_000,
        'every issue placed',
      );
      const syncMs = Date.now() - started;
      const rss = residentMegabytes(session.pid);
      // The server's own account of the sync (its output channel): how many requests it took.
      const syncLog = session.notifications
        .map((n) => (n.method === 'window/logMessage' ? (n.params as { message: string }).message : ''))
        .find((message) => message.startsWith('initial sync:'));

      const latencies: number[] = [];
      const placed = session.all();
      for (let i = 0; i < changes; i++) {
        const { uri, diagnostic } = placed[i];
        const issueId = (diagnostic.data as { issueId: string }).issueId;
        const before = Date.now();
        await ok(
          stack.api.client.PUT('/api/0/issues/{issue}/', {
            params: { path: { issue: issueId } },
            body: { status: 'resolved' },
          }),
        );
        await session.until(
          () => (session.diagnostics.get(uri) ?? []).length === 0,
          30_000,
          `issue ${issueId} withdrawn`,
        );
        latencies.push(Date.now() - before);
      }
      log(`change latencies in order (ms): ${latencies.join(', ')}`);
      latencies.sort((a, b) => a - b);
      await session.stop();
      log(`workspace URI: ${pathToFileURL(workspace).toString()}`);
      log(`language server: ${syncLog ?? 'no initial sync line'}`);
      log(
        `initial sync of ${issues} issues in ${files} files: first diagnostics after ${firstDiagnosticsMs} ms, ` +
          `all placed after ${syncMs} ms (target < 3000); ` +
          `server memory ${rss.toFixed(0)} MB (target < 150); ` +
          `change latency over ${changes}: p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms (target < 2000)`,
      );
    } finally {
      await stack.dispose();
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

runBenchmark(main);
