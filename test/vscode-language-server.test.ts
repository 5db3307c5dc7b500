import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ok } from '@faultline/api-client';
import type {
  CodeAction,
  CodeLens,
  Diagnostic,
  Hover,
  MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { REPO_ROOT } from './support/cli';
import { LANGUAGE_SERVER, LspSession } from './support/lsp-client';
import { startStack, type Stack } from './support/stack';
import {
  createAppWorkspaces,
  editorToken,
  waitForCodeLocations,
  type AppWorkspaces,
} from './support/vscode-workspace';

const uriOf = (file: string) => pathToFileURL(file).toString();
const messageOf = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);

/**
 * The VS Code extension's language server, spoken to over JSON-RPC as the editor does, against a
 * real `faultline start` (embedded database) fed by @sentry/node from a small app that threw in
 * several files. Its workspace has two folders, one file moved (drift), one edited (changed
 * since), and a minified bundle with its source map. A test plugin (`linker`) links frames to
 * their source, as GitHub's plugin does.
 */
describe('VS Code language server against a real Faultline [embedded]', function () {
  this.timeout(60_000);
  let stack: Stack;
  let app: AppWorkspaces;
  let settings: Record<string, unknown>;
  const sessions: LspSession[] = [];

  const find = (session: LspSession, title: string) =>
    session.all().find(({ diagnostic }) => messageOf(diagnostic).startsWith(title));

  async function start(extra: Record<string, unknown> = {}): Promise<LspSession> {
    const session = await LspSession.start([app.main, app.other], { ...settings, ...extra });
    sessions.push(session);
    return session;
  }

  before(async function () {
    // Starting a server and an SDK process takes a while on a loaded machine.
    this.timeout(180_000);
    if (!existsSync(LANGUAGE_SERVER)) throw new Error(`${LANGUAGE_SERVER} is missing: run npm run build`);
    stack = await startStack('embedded', {
      env: { PLUGINS: path.join(REPO_ROOT, 'test', 'support', 'plugins', 'linker') },
    });
    app = await createAppWorkspaces(stack.setup.dsn);
    await app.throwIn(['checkout', 'ship', 'pay', 'refund', 'bundle']);
    await waitForCodeLocations(stack, 5);
    settings = {
      serverUrl: stack.baseUrl,
      token: await editorToken(stack),
      organization: stack.setup.organization,
    };
  });

  after(async () => {
    await Promise.all(sessions.map((s) => s.stop()));
    await stack?.dispose();
    app?.dispose();
  });

  it('puts a diagnostic on the line that threw, with the issue in its message, code and related frames', async () => {
    const session = await start();
    const { uri, diagnostic } = await session.until(
      () => find(session, 'TypeError: cart of 0 items cannot be paid'),
      30_000,
      'the checkout diagnostic',
    );
    // Both folders hold src/checkout.js: without a mapping, the first folder wins the tie.
    assert.equal(uri, uriOf(path.join(app.main, 'src/checkout.js')));
    assert.deepEqual(diagnostic.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 63 } });
    assert.equal(diagnostic.severity, 1);
    assert.equal(diagnostic.source, 'Faultline');
    assert.match(String(diagnostic.code), /^[A-Z0-9-]+-\d+$/);
    assert.match(diagnostic.codeDescription!.href, /\/organizations\/.+\/issues\/\d+\/$/);
    assert.match(messageOf(diagnostic), /— 1 event, 0 users, last seen (just now|\d+ \w+ ago)$/);
    assert.deepEqual(
      diagnostic.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]),
      [
        [uriOf(path.join(app.main, 'src/checkout.js')), 4],
        [uriOf(path.join(app.main, 'run.cjs')), 4],
      ],
    );
    const status = await session.until(
      () =>
        session.notifications.find(
          (n) => n.method === 'faultline/status' && (n.params as { state: string }).state === 'connected',
        ),
      10_000,
      'the status bar to say connected',
    );
    assert.equal((status.params as { count: number }).count, 5);
  });

  it('follows code that moved (drift), says when it changed, and maps a minified bundle to its source', async () => {
    const session = sessions[0];
    const pay = find(session, 'RangeError: amount below zero')!;
    assert.ok(pay, JSON.stringify(session.all().map((d) => [d.uri, messageOf(d.diagnostic)])));
    assert.equal(pay.uri, uriOf(path.join(app.main, 'src/pay.js')));
    assert.equal(pay.diagnostic.range.start.line, 1 + 3, 'three lines were added above it');
    assert.doesNotMatch(messageOf(pay.diagnostic), /changed since/);
    const refund = find(session, 'Error: refund window closed')!;
    assert.equal(refund.diagnostic.range.start.line, 1);
    assert.match(messageOf(refund.diagnostic), /\(the code has changed since\)$/);
    const bundled = find(session, 'SyntaxError: order without id')!;
    assert.equal(bundled.uri, uriOf(path.join(app.main, 'src/bundled.ts')));
    assert.equal(bundled.diagnostic.range.start.line, 2);
  });

  it('answers a hover with the issue, its counts and triage links, and a code lens over the function', async () => {
    const session = sessions[0];
    const { diagnostic } = find(session, 'TypeError: cart of 0 items cannot be paid')!;
    const textDocument = { uri: uriOf(path.join(app.main, 'src/checkout.js')) };
    const hover: Hover = await session.connection.sendRequest('textDocument/hover', {
      textDocument,
      position: { line: 2, character: 10 },
    });
    const text = (hover.contents as MarkupContent).value;
    assert.ok(text.includes(`**[${String(diagnostic.code)}](${diagnostic.codeDescription!.href})**`), text);
    assert.match(text, /TypeError: cart of 0 items cannot be paid/);
    assert.match(text, /1 event · 0 users · 1 event in 24 h/);
    assert.match(text, /release `shop@1\.0\.0` · environment `production`/);
    assert.match(text, /\[Resolve\]\(command:faultline\.issue\.resolve\?/);
    assert.match(text, /Top tags: .*`environment`: production \(100%\)/);
    // The linker plugin's link for the throwing frame, beside the frame's workspace link.
    assert.match(
      text,
      /checkout\.js:3\]\(file:[^)]+\) \(\[source\]\(https:\/\/code\.example\/shop@1\.0\.0\/[^)]*checkout\.js#L3\)\)/,
    );
    assert.equal(
      await session.connection.sendRequest('textDocument/hover', {
        textDocument,
        position: { line: 0, character: 0 },
      }),
      null,
    );
    const lenses: CodeLens[] = await session.connection.sendRequest('textDocument/codeLens', {
      textDocument,
    });
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.title]),
      [[0, 'Faultline: 1 issue, 1 event in the last 24 h']],
    );
  });

  it('maps frames through a configured stack root to its folder (multi-root)', async () => {
    const session = await start({ pathMappings: [{ stackRoot: app.production, folder: app.other }] });
    const { uri } = await session.until(
      () => find(session, 'TypeError: cart of 0 items cannot be paid'),
      30_000,
      'the checkout diagnostic',
    );
    assert.equal(uri, uriOf(path.join(app.other, 'src/checkout.js')));
    await session.stop();
    sessions.pop();
  });

  it('resolves an issue through a code action: the API says resolved, the squiggle goes', async () => {
    const session = sessions[0];
    const { diagnostic } = find(session, 'TypeError: cart of 0 items cannot be paid')!;
    const actions: CodeAction[] = await session.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uriOf(path.join(app.main, 'src/checkout.js')) },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    assert.deepEqual(
      actions.map((a) => a.command?.title),
      [
        'Faultline: Resolve',
        'Faultline: Archive',
        'Faultline: Assign to me',
        'Faultline: Open in browser',
        'Faultline: Copy link to',
      ],
    );
    const resolve = actions[0].command!;
    await session.connection.sendRequest('workspace/executeCommand', {
      command: resolve.command,
      arguments: resolve.arguments,
    });
    const issueId = String(resolve.arguments![0]);
    const issue = await ok(
      stack.api.client.GET('/api/0/issues/{issue}/', { params: { path: { issue: issueId } } }),
    );
    assert.equal(issue.status, 'resolved');
    await session.until(() => !find(session, 'TypeError: cart of 0') && true, 5000, 'the squiggle to go');
  });

  it('follows changes live: resolved through the API disappears, a new issue appears', async () => {
    const session = sessions[0];
    const ship = find(session, 'Error: no carrier for parcel')!;
    const issueId = String((ship.diagnostic.data as { issueId: string }).issueId);
    await ok(
      stack.api.client.PUT('/api/0/issues/{issue}/', {
        params: { path: { issue: issueId } },
        body: { status: 'resolved' },
      }),
    );
    await session.until(
      () => !find(session, 'Error: no carrier') && true,
      10_000,
      'the resolved issue to go',
    );
    await app.throwIn(['late']);
    const late = await session.until(
      () => find(session, 'Error: arrived after the sync'),
      30_000,
      'the new issue',
    );
    assert.equal(late.uri, uriOf(path.join(app.main, 'src/late.js')));
    assert.equal(late.diagnostic.range.start.line, 1);
  });

  it('shows resolved issues as hints with Unresolve when showResolved is on', async () => {
    const session = await start({ showResolved: true });
    const resolved = await session.until(
      () => find(session, `Resolved: ${'TypeError: cart of 0 items cannot be paid'}`),
      30_000,
      'the resolved checkout issue',
    );
    assert.equal(resolved.diagnostic.severity, 4, 'a hint');
    const actions: CodeAction[] = await session.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: resolved.uri },
      range: resolved.diagnostic.range,
      context: { diagnostics: [resolved.diagnostic] },
    });
    const unresolve = actions[0].command!;
    assert.equal(unresolve.title, 'Faultline: Unresolve');
    await session.connection.sendRequest('workspace/executeCommand', {
      command: unresolve.command,
      arguments: unresolve.arguments,
    });
    const issue = await ok(
      stack.api.client.GET('/api/0/issues/{issue}/', {
        params: { path: { issue: String(unresolve.arguments![0]) } },
      }),
    );
    assert.equal(issue.status, 'unresolved');
    const again = await session.until(
      () => find(session, 'TypeError: cart of 0 items cannot be paid'),
      5000,
      'the squiggle back as an error',
    );
    assert.equal(again.diagnostic.severity, 1);
    await session.stop();
    sessions.splice(sessions.indexOf(session), 1);
  });

  it('without configured projects, shows only the project named like the workspace', async () => {
    const empty = await ok(
      stack.api.client.POST('/api/0/teams/{organization}/{team}/projects/', {
        params: { path: { organization: stack.setup.organization, team: stack.setup.team } },
        body: { name: 'Storefront', slug: 'storefront' },
      }),
    );
    // A copy of the app whose package.json says it is the (issue-less) storefront project.
    const storefront = path.join(app.root, 'storefront');
    mkdirSync(storefront);
    cpSync(path.join(app.main, 'src'), path.join(storefront, 'src'), { recursive: true });
    writeFileSync(path.join(storefront, 'package.json'), JSON.stringify({ name: '@acme/storefront' }));
    const connected = (session: LspSession) =>
      session.notifications.find(
        (n) => n.method === 'faultline/status' && (n.params as { state: string }).state === 'connected',
      )?.params as { count: number; detail: string } | undefined;

    const own = await LspSession.start([storefront], settings);
    sessions.push(own);
    const status = await own.until(() => connected(own), 30_000, 'connected');
    assert.equal(status.detail, `project ${empty.slug} (named like the workspace)`);
    assert.equal(status.count, 0);
    assert.deepEqual(own.all(), []);

    // Configured projects win over the name.
    const configured = await LspSession.start([storefront], {
      ...settings,
      projects: [stack.setup.projectId],
    });
    sessions.push(configured);
    const shown = await configured.until(() => connected(configured), 30_000, 'connected');
    assert.equal(shown.detail, `projects ${stack.setup.projectId} (configured)`);
    assert.ok(shown.count > 0);
  });
});
