import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  AUTH_FAILED,
  CLIENT_COMMANDS,
  CONFIGURE,
  LIST_ISSUES,
  LOCATE_ISSUE,
  SERVER_COMMANDS,
  SETTINGS_DEFAULTS,
  STATUS,
  type PlacedIssue,
  type ServerSettings,
  type StatusParams,
} from '../shared/protocol';
import { IssuesView } from './issues-view';
import { signIn, TOKEN_SECRET } from './sign-in';

let client: LanguageClient | undefined;

async function serverSettings(context: vscode.ExtensionContext): Promise<ServerSettings> {
  const config = vscode.workspace.getConfiguration('faultline');
  return {
    serverUrl: config.get('serverUrl', SETTINGS_DEFAULTS.serverUrl),
    organization: config.get('organization', SETTINGS_DEFAULTS.organization),
    projects: config.get('projects', SETTINGS_DEFAULTS.projects),
    environments: config.get('environments', SETTINGS_DEFAULTS.environments),
    minimumLevel: config.get('minimumLevel', SETTINGS_DEFAULTS.minimumLevel),
    pathMappings: config.get('pathMappings', SETTINGS_DEFAULTS.pathMappings),
    showResolved: config.get('showResolved', SETTINGS_DEFAULTS.showResolved),
    token: (await context.secrets.get(TOKEN_SECRET)) ?? undefined,
  };
}

const STATUS_TEXT: Record<StatusParams['state'], string> = {
  'signed-out': '$(sign-in) Faultline: sign in',
  connecting: '$(sync~spin) Faultline',
  connected: '$(bug) Faultline',
  disconnected: '$(debug-disconnect) Faultline',
};

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // The bundle puts the server beside the extension; the TypeScript build, under out/server/.
  const bundled = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverModule = existsSync(bundled)
    ? bundled
    : context.asAbsolutePath(path.join('out', 'server', 'main.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc },
  };
  const clientOptions: LanguageClientOptions = {
    // Every file: production frames can point at any language's sources.
    documentSelector: [{ scheme: 'file' }],
    initializationOptions: await serverSettings(context),
    // The hover's triage links are `command:` links; VS Code runs them only from trusted markdown,
    // and only these commands are trusted.
    markdown: {
      isTrusted: { enabledCommands: [...Object.values(SERVER_COMMANDS), ...Object.values(CLIENT_COMMANDS)] },
    },
  };
  client = new LanguageClient('faultline', 'Faultline', serverOptions, clientOptions);

  const statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  statusItem.command = 'faultline.showIssues';
  statusItem.text = STATUS_TEXT['signed-out'];
  statusItem.show();
  const view = new IssuesView();
  const configure = async () => client?.sendNotification(CONFIGURE, await serverSettings(context));
  const refreshView = async () => view.show((await client?.sendRequest<PlacedIssue[]>(LIST_ISSUES)) ?? []);

  context.subscriptions.push(
    statusItem,
    vscode.window.registerTreeDataProvider('faultline.issues', view),
    vscode.commands.registerCommand('faultline.signIn', async () => {
      if (await signIn(context)) await configure();
    }),
    vscode.commands.registerCommand('faultline.signOut', async () => {
      await context.secrets.delete(TOKEN_SECRET);
      await configure();
    }),
    vscode.commands.registerCommand('faultline.showIssues', () =>
      vscode.commands.executeCommand('workbench.view.extension.faultline'),
    ),
    vscode.commands.registerCommand(CLIENT_COMMANDS.openInBrowser, (permalink: string) =>
      vscode.env.openExternal(vscode.Uri.parse(permalink)),
    ),
    vscode.commands.registerCommand(CLIENT_COMMANDS.copyLink, async (permalink: string) => {
      await vscode.env.clipboard.writeText(permalink);
      void vscode.window.setStatusBarMessage('Faultline: link copied', 3000);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('faultline')) void configure();
    }),
    context.secrets.onDidChange((event) => {
      if (event.key === TOKEN_SECRET) void configure();
    }),
    // vscode://faultline.faultline-vscode/open?issue=42: the links of the web UI, Slack and GitHub.
    vscode.window.registerUriHandler({
      async handleUri(uri) {
        const issueId = new URLSearchParams(uri.query).get('issue');
        if (!issueId) return;
        if (!(await context.secrets.get(TOKEN_SECRET)) && !(await signIn(context))) return;
        const place = await client?.sendRequest<{ uri: string; line: number } | null>(LOCATE_ISSUE, {
          issueId,
        });
        if (!place) {
          void vscode.window.showWarningMessage(
            `Faultline: issue ${issueId} points at no file of this workspace`,
          );
          return;
        }
        await vscode.window.showTextDocument(vscode.Uri.parse(place.uri), {
          selection: new vscode.Range(place.line, 0, place.line, 0),
        });
      },
    }),
  );

  client.onNotification(STATUS, (status: StatusParams) => {
    statusItem.text = `${STATUS_TEXT[status.state]}${status.state === 'signed-out' ? '' : ` ${status.count}`}`;
    statusItem.tooltip = `Faultline: ${status.state}${status.detail ? ` (${status.detail})` : ''}`;
    void refreshView();
  });
  // One prompt per refused token; the status bar keeps saying it afterwards, without pop-ups.
  client.onNotification(AUTH_FAILED, async () => {
    const choice = await vscode.window.showWarningMessage(
      'Faultline refused the saved token (revoked or expired).',
      'Sign in again',
    );
    if (choice) await vscode.commands.executeCommand('faultline.signIn');
  });
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
