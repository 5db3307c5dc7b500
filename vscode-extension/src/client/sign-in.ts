import * as vscode from 'vscode';
import { createFaultlineClient } from '@faultline/api-client';

/** Where the token lives: VS Code's SecretStorage, never the settings. */
export const TOKEN_SECRET = 'faultline.token';

const form = (body: Record<string, string>) => new URLSearchParams(body).toString();
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/**
 * Device sign-in (RFC 8628): ask for a code, open the approval page in the browser with the code in
 * it, show the code, and poll until the person approved (or the code expired). Pasting a token is
 * the alternative for servers the browser can't reach.
 */
export async function signIn(context: vscode.ExtensionContext): Promise<boolean> {
  const config = vscode.workspace.getConfiguration('faultline');
  const serverUrl = await vscode.window.showInputBox({
    title: 'Faultline: server URL',
    value: config.get<string>('serverUrl') || 'http://127.0.0.1:8000',
    ignoreFocusOut: true,
  });
  if (!serverUrl) return false;
  await config.update('serverUrl', serverUrl, vscode.ConfigurationTarget.Global);
  const how = await vscode.window.showQuickPick(['Sign in with the browser', 'Paste an API token'], {
    title: 'Faultline: sign in',
  });
  if (!how) return false;
  const token = how.startsWith('Paste')
    ? await vscode.window.showInputBox({ title: 'Faultline API token', password: true, ignoreFocusOut: true })
    : await deviceFlow(serverUrl);
  if (!token) return false;
  await context.secrets.store(TOKEN_SECRET, token);
  if (!config.get<string>('organization')) await pickOrganization(serverUrl, token);
  return true;
}

async function deviceFlow(serverUrl: string): Promise<string | undefined> {
  const client = createFaultlineClient({ baseUrl: serverUrl });
  const { data: code, error } = await client.POST('/oauth/device/code', {
    body: { client_id: 'vscode', scope: 'org:read project:read event:read event:write' },
    bodySerializer: form,
    headers: FORM,
  });
  if (!code) {
    void vscode.window.showErrorMessage(`Faultline: device sign-in failed (${JSON.stringify(error)})`);
    return undefined;
  }
  void vscode.env.openExternal(vscode.Uri.parse(code.verification_uri_complete));
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Faultline: approve code ${code.user_code} in the browser`,
      cancellable: true,
    },
    async (_progress, cancel) => {
      let interval = code.interval * 1000;
      const deadline = Date.now() + code.expires_in * 1000;
      while (!cancel.isCancellationRequested && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, interval));
        const answer = await client.POST('/oauth/token', {
          body: {
            grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
            device_code: code.device_code,
            client_id: 'vscode',
          },
          bodySerializer: form,
          headers: FORM,
        });
        if (answer.data) return answer.data.access_token;
        const reason = (answer.error as { error?: string } | undefined)?.error;
        if (reason === 'slow_down') interval += 5000;
        else if (reason !== 'authorization_pending') {
          void vscode.window.showErrorMessage(
            `Faultline: sign-in ended (${reason ?? answer.response.status})`,
          );
          return undefined;
        }
      }
      return undefined;
    },
  );
}

async function pickOrganization(serverUrl: string, token: string): Promise<void> {
  const client = createFaultlineClient({ baseUrl: serverUrl, token });
  const { data } = await client.GET('/api/0/organizations/');
  const slugs = (data ?? []).map((o) => o.slug);
  const slug =
    slugs.length === 1 ? slugs[0] : await vscode.window.showQuickPick(slugs, { title: 'Organization' });
  if (slug)
    await vscode.workspace
      .getConfiguration('faultline')
      .update('organization', slug, vscode.ConfigurationTarget.Global);
}
