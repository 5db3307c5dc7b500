import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ok } from '@faultline/api-client';
import { build } from 'esbuild';
import { waitFor } from './api';
import { REPO_ROOT } from './cli';
import type { Stack } from './stack';

/**
 * A small Node app that throws in several files, run "in production" (its own folder) with the
 * official @sentry/node SDK, and the developer's workspace copies of it, some edited since.
 */
export const APP_FILES: Record<string, string> = {
  'src/checkout.js': [
    'function checkout(cart) {',
    '  const total = cart.items.length;',
    '  throw new TypeError(`cart of ${total} items cannot be paid`);',
    '}',
    'module.exports = { run: () => checkout({ items: [] }) };',
  ].join('\n'),
  'src/ship.js': [
    'function ship() {',
    "  throw new Error('no carrier for parcel');",
    '}',
    'module.exports = { run: ship };',
  ].join('\n'),
  'src/pay.js': [
    'function pay() {',
    "  throw new RangeError('amount below zero');",
    '}',
    'module.exports = { run: pay };',
  ].join('\n'),
  'src/refund.js': [
    'function refund() {',
    "  throw new Error('refund window closed');",
    '}',
    'module.exports = { run: refund };',
  ].join('\n'),
  'src/late.js': [
    'function late() {',
    "  throw new Error('arrived after the sync');",
    '}',
    'module.exports = { run: late };',
  ].join('\n'),
  'src/bundled.ts': [
    'export function parseOrder(text: string): number {',
    '  const order = JSON.parse(text) as { id?: number };',
    "  if (order.id === undefined) throw new SyntaxError('order without id');",
    '  return order.id;',
    '}',
    "export const run = () => parseOrder('{}');",
  ].join('\n'),
  'run.cjs': [
    'const Sentry = require(process.env.SENTRY_NODE);',
    "Sentry.init({ dsn: process.env.FAULTLINE_DSN, release: 'shop@1.0.0', environment: 'production' });",
    'for (const name of process.argv.slice(2)) {',
    '  try {',
    "    require(name === 'bundle' ? './dist/bundle.js' : `./src/${name}.js`).run();",
    '  } catch (error) {',
    '    Sentry.captureException(error);',
    '  }',
    '}',
    'Sentry.flush(10000).then(() => console.log("sent"));',
  ].join('\n'),
};

export interface AppWorkspaces {
  root: string;
  /** Where the app ran: the paths production frames carry. */
  production: string;
  /** The developer's main workspace folder: pay.js has moved down three lines, refund.js changed. */
  main: string;
  /** A second workspace folder holding only another copy of checkout.js. */
  other: string;
  /** Runs the app in production, throwing in each named file (`bundle` for the bundled one). */
  throwIn(names: string[]): Promise<void>;
  dispose(): void;
}

export async function createAppWorkspaces(dsn: string): Promise<AppWorkspaces> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'faultline-vscode-'));
  const production = path.join(root, 'production');
  for (const [file, text] of Object.entries(APP_FILES)) {
    mkdirSync(path.dirname(path.join(production, file)), { recursive: true });
    writeFileSync(path.join(production, file), text + '\n');
  }
  // Minified, so only the source map leads back to the line in src/bundled.ts.
  await build({
    entryPoints: [path.join(production, 'src/bundled.ts')],
    outfile: path.join(production, 'dist/bundle.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    format: 'cjs',
  });
  const main = path.join(root, 'main');
  cpSync(production, main, { recursive: true });
  const pay = path.join(main, 'src/pay.js');
  writeFileSync(pay, '// Payments.\n// Amounts are in cents.\n\n' + readFileSync(pay, 'utf8'));
  const refund = path.join(main, 'src/refund.js');
  writeFileSync(refund, readFileSync(refund, 'utf8').replace('refund window closed', 'refunds are closed'));
  const other = path.join(root, 'other');
  mkdirSync(path.join(other, 'src'), { recursive: true });
  cpSync(path.join(production, 'src/checkout.js'), path.join(other, 'src/checkout.js'));
  const sentryNode = require.resolve('@sentry/node', { paths: [path.join(REPO_ROOT, 'test')] });
  return {
    root,
    production,
    main,
    other,
    throwIn: async (names) => {
      await promisify(execFile)(process.execPath, ['run.cjs', ...names], {
        cwd: production,
        env: { ...process.env, SENTRY_NODE: sentryNode, FAULTLINE_DSN: dsn },
        timeout: 60_000,
      });
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A token of the bootstrapped admin issued to the VS Code client, as device sign-in or a pasted token gives one. */
export async function editorToken(stack: Stack): Promise<string> {
  const minted = await ok(
    stack.api.client.POST('/api/0/api-tokens/', {
      body: {
        name: 'editor',
        scopes: ['org:read', 'project:read', 'event:read', 'event:write'],
        client: 'vscode',
      },
    }),
  );
  return minted.token;
}

/** Waits until the organization has `count` unresolved issues with code locations (the SDK's events processed). */
export async function waitForCodeLocations(stack: Stack, count: number): Promise<void> {
  await waitFor(
    `${count} issues`,
    async () => {
      const rows = await ok(
        stack.api.client.GET('/api/0/organizations/{organization}/code-locations/', {
          params: { path: { organization: stack.setup.organization } },
        }),
      );
      return rows.length === count ? rows : undefined;
    },
    { timeoutMs: 90_000 },
  );
}
