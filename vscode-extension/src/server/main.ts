import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  AUTH_FAILED,
  CLIENT_COMMANDS,
  CONFIGURE,
  LIST_ISSUES,
  LOCATE_ISSUE,
  SERVER_COMMANDS,
  SETTINGS_DEFAULTS,
  STATUS,
  type LocateParams,
  type PlacedIssue,
  type ServerSettings,
  type StatusParams,
} from '../shared/protocol';
import { IssueSync } from './issue-sync';
import { FrameLocator } from './locate';
import { workspaceNames } from './project-match';
import { sourceLinks, topTags } from './hover-reads';
import {
  codeLensesOf,
  diagnosticOf,
  fileUri,
  hoverOf,
  type HoverExtras,
  type PlacedLocation,
} from './presentation';
import { WorkspaceFiles } from './workspace-files';

/**
 * The language server: holds the Faultline issues of the configured organization, places them on
 * workspace lines and answers diagnostics, hovers, code lenses and code actions. It talks to
 * Faultline only through the generated API client and its change stream.
 */
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

let roots: string[] = [];
let settings: ServerSettings = { ...SETTINGS_DEFAULTS };
let sync: IssueSync | undefined;
let locator: FrameLocator | undefined;
/** Placed issues by file URI, and where each issue is. */
const byUri = new Map<string, PlacedLocation[]>();
const uriOfIssue = new Map<string, string>();
let canRefreshLenses = false;
let foldersChange = false;
let lastStatus: StatusParams = { state: 'signed-out', count: 0 };

function linesOf(file: string): string[] | undefined {
  const open = documents.get(fileUri(file));
  return open ? open.getText().split(/\r?\n/) : undefined;
}

function newLocator(): FrameLocator {
  const files = new WorkspaceFiles(roots);
  return new FrameLocator(files, settings.pathMappings, (file) => linesOf(file) ?? readDisk(file));
}

function readDisk(file: string): string[] | undefined {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return undefined;
  }
}

function place(issueId: string): PlacedLocation | undefined {
  const location = sync?.locations.get(issueId);
  if (!location || !locator) return undefined;
  const frames = location.frames.flatMap((frame) => locator!.locate(frame) ?? []);
  if (frames.length === 0) return undefined;
  return { location, top: frames[0], others: frames.slice(1) };
}

/** Re-places these issues and republishes the diagnostics of every file they left or entered. */
function replace(issueIds: string[]): void {
  const touched = new Set<string>();
  for (const id of issueIds) {
    const before = uriOfIssue.get(id);
    if (before) {
      byUri.set(
        before,
        (byUri.get(before) ?? []).filter((p) => p.location.issueId !== id),
      );
      uriOfIssue.delete(id);
      touched.add(before);
    }
    const placed = place(id);
    if (placed) {
      const uri = fileUri(placed.top.file);
      byUri.set(uri, [...(byUri.get(uri) ?? []), placed]);
      uriOfIssue.set(id, uri);
      touched.add(uri);
    }
  }
  for (const uri of touched) {
    const placed = byUri.get(uri) ?? [];
    if (placed.length === 0) byUri.delete(uri);
    void connection.sendDiagnostics({ uri, diagnostics: placed.map(diagnosticOf) });
  }
  if (touched.size > 0 && canRefreshLenses)
    void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  status({ ...lastStatus, count: uriOfIssue.size });
}

function status(params: StatusParams): void {
  lastStatus = params;
  void connection.sendNotification(STATUS, params);
}

function restart(): void {
  sync?.stop();
  sync = undefined;
  for (const uri of byUri.keys()) void connection.sendDiagnostics({ uri, diagnostics: [] });
  byUri.clear();
  uriOfIssue.clear();
  locator = newLocator();
  const { token } = settings;
  if (!token || !settings.serverUrl || !settings.organization) {
    status({ state: 'signed-out', count: 0 });
    return;
  }
  let authFailedSent = false;
  sync = new IssueSync(
    { ...settings, token },
    {
      changed: (ids) => replace(ids),
      state: (state, detail) => status({ state, count: uriOfIssue.size, detail }),
      log: (message) => connection.console.log(message),
      authFailed: () => {
        if (authFailedSent) return;
        authFailedSent = true;
        void connection.sendNotification(AUTH_FAILED, {});
      },
    },
    workspaceNames(roots),
  );
  void sync.start();
}

connection.onInitialize((params) => {
  roots = (params.workspaceFolders ?? []).map((f) => fileURLToPath(f.uri));
  if (roots.length === 0 && params.rootUri) roots = [fileURLToPath(params.rootUri)];
  foldersChange = params.capabilities.workspace?.workspaceFolders === true;
  canRefreshLenses = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  settings = {
    ...SETTINGS_DEFAULTS,
    ...(params.initializationOptions as Partial<ServerSettings> | undefined),
  };
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
  };
});

connection.onInitialized(() => {
  // Registering for folder changes throws when the client can't send them (a plain LSP client).
  if (foldersChange)
    connection.workspace.onDidChangeWorkspaceFolders((event) => {
      const removed = new Set(event.removed.map((f) => fileURLToPath(f.uri)));
      roots = [...roots.filter((r) => !removed.has(r)), ...event.added.map((f) => fileURLToPath(f.uri))];
      restart();
    });
  restart();
});

connection.onNotification(CONFIGURE, (next: Partial<ServerSettings>) => {
  settings = { ...SETTINGS_DEFAULTS, ...next };
  restart();
});

// An edited file may move code: place its issues again against the editor's text.
documents.onDidChangeContent(({ document }) => {
  const placed = byUri.get(document.uri);
  if (placed) replace(placed.map((p) => p.location.issueId));
});

function placedAt(uri: string, line: number): PlacedLocation[] {
  return (byUri.get(uri) ?? []).filter((p) => p.top.line === line);
}

connection.onHover(async ({ textDocument, position }) => {
  const placed = placedAt(textDocument.uri, position.line);
  if (placed.length === 0) return null;
  // Tags and source links are read when hovered, not synced: the sync stays a few requests for
  // thousands of issues. A read that fails leaves its part out of the hover.
  const extras = new Map<string, HoverExtras>();
  const client = sync?.client;
  if (client)
    await Promise.all(
      placed.slice(0, 3).map(async ({ location }) => {
        const [tags, links] = await Promise.all([
          topTags(client, location.issueId).catch(() => []),
          sourceLinks(client, location).catch(() => new Map<string, string>()),
        ]);
        extras.set(location.issueId, { tags, links });
      }),
    );
  return hoverOf(placed, extras);
});

connection.onCodeLens(({ textDocument }) => {
  const placed = byUri.get(textDocument.uri) ?? [];
  if (placed.length === 0) return [];
  const lines = linesOf(fileURLToPath(textDocument.uri)) ?? readDisk(fileURLToPath(textDocument.uri)) ?? [];
  return codeLensesOf(placed, lines);
});

connection.onCodeAction(({ textDocument, range }) => {
  const actions: CodeAction[] = [];
  const lines = new Set<number>();
  for (let line = range.start.line; line <= range.end.line; line++) lines.add(line);
  for (const placed of byUri.get(textDocument.uri) ?? []) {
    if (!lines.has(placed.top.line)) continue;
    const { issueId, shortId, permalink } = placed.location;
    const action = (title: string, command: string, arg: string): CodeAction => ({
      title: `${title} ${shortId}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnosticOf(placed)],
      command: { title, command, arguments: [arg] },
    });
    actions.push(
      placed.location.status === 'resolved'
        ? action('Faultline: Unresolve', SERVER_COMMANDS.unresolve, issueId)
        : action('Faultline: Resolve', SERVER_COMMANDS.resolve, issueId),
      action('Faultline: Archive', SERVER_COMMANDS.archive, issueId),
      action('Faultline: Assign to me', SERVER_COMMANDS.assignToMe, issueId),
      action('Faultline: Open in browser', CLIENT_COMMANDS.openInBrowser, permalink),
      action('Faultline: Copy link to', CLIENT_COMMANDS.copyLink, permalink),
    );
  }
  return actions;
});

connection.onExecuteCommand(async ({ command, arguments: args }) => {
  const issueId = String(args?.[0] ?? '');
  if (!sync || !/^\d+$/.test(issueId)) return;
  try {
    if (command === SERVER_COMMANDS.resolve) await sync.update(issueId, { status: 'resolved' });
    else if (command === SERVER_COMMANDS.archive) await sync.update(issueId, { status: 'ignored' });
    else if (command === SERVER_COMMANDS.unresolve) await sync.update(issueId, { status: 'unresolved' });
    else if (command === SERVER_COMMANDS.assignToMe)
      await sync.update(issueId, { assignedTo: await sync.myAssignee() });
  } catch (error) {
    void connection.window.showErrorMessage(
      `Faultline: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
});

connection.onRequest(LIST_ISSUES, (): PlacedIssue[] =>
  [...byUri.entries()].flatMap(([uri, placed]) =>
    placed.map(({ location, top }) => ({
      issueId: location.issueId,
      shortId: location.shortId,
      title: location.title,
      level: location.level,
      lastSeen: location.lastSeen,
      permalink: location.permalink,
      uri,
      line: top.line,
    })),
  ),
);

connection.onRequest(LOCATE_ISSUE, async ({ issueId }: LocateParams) => {
  const known = uriOfIssue.get(issueId);
  if (known)
    return { uri: known, line: byUri.get(known)!.find((p) => p.location.issueId === issueId)!.top.line };
  const location = await sync?.fetchOne(issueId).catch(() => undefined);
  if (!location || !locator) return null;
  for (const frame of location.frames) {
    const local = locator.locate(frame);
    if (local) return { uri: fileUri(local.file), line: local.line };
  }
  return null;
});

documents.listen(connection);
connection.listen();
