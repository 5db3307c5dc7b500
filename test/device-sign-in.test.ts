import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { isPostgresReachable } from '../core/src/testing/databases';
import { SseClient } from '../core/src/testing/sse-client';
import { deviceCodeAnswer, oauthErrorAnswer, tokenAnswer } from '../core/src/api/oauth/schemas';
import type { Page } from 'playwright-core';
import { waitFor, type ApiIssue } from './support/api';
import { useChromium } from './support/chromium';
import { runCli } from './support/cli';
import { envelopeUrl, eventEnvelope, parseTestDsn } from './support/envelopes';
import { httpRequest } from './support/http';
import { SessionCaller, TokenCaller } from './support/session';
import { startStack, type Stack } from './support/stack';

const EMAIL = 'dev@example.com';
const PASSWORD = 'correct horse battery staple 42';
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

interface DeviceCodes {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Device sign-in end to end, as the VS Code extension and a person would do it, against a real
 * `faultline start` over Postgres: the device asks for codes and polls with form-encoded requests;
 * the person opens the verification address in Chromium, which sends them to the web UI's approval
 * page, signs in there with password and TOTP, and approves; the device gets a token with the
 * approved scopes (never more than the person's) and uses it. Then what must not work: polling too
 * fast, reuse, denial, expiry, another client, answering without a session.
 */
describe('device sign-in (RFC 8628) with real processes [postgres]', function () {
  this.timeout(120_000);
  const chromium = useChromium();
  let page: Page;
  let stack: Stack | undefined;
  let owner: TokenCaller;
  let org = '';
  let issue: ApiIssue;
  let totpSecret = '';
  /** The TOTP step last used: a code is accepted once, and at most one step ahead. */
  let lastStep = 0;
  /** The person's user id, as the change stream names its actor. */
  let memberId = '';

  async function oauth(path: string, fields: Record<string, string>): Promise<OAuthAnswer> {
    const res = await httpRequest(`${stack!.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: res.status, body: res.json<Record<string, unknown>>(), headers: res.headers };
  }

  async function requestCodes(clientId = 'vscode', scope?: string): Promise<DeviceCodes> {
    const answer = await oauth('/oauth/device/code', { client_id: clientId, ...(scope ? { scope } : {}) });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    // As the OpenAPI description declares it.
    return deviceCodeAnswer.parse(answer.body) as DeviceCodes;
  }

  function poll(codes: DeviceCodes, clientId = 'vscode'): Promise<OAuthAnswer> {
    return oauth('/oauth/token', {
      grant_type: GRANT_TYPE,
      device_code: codes.device_code,
      client_id: clientId,
    });
  }

  function assertOAuthError(answer: OAuthAnswer, status: number, error: string): void {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.error, error, JSON.stringify(answer.body));
    oauthErrorAnswer.parse(answer.body);
    assert.equal(answer.headers['cache-control'], 'no-store');
  }

  async function nextTotpCode(): Promise<string> {
    const step = Math.max(Math.floor(Date.now() / 30_000), lastStep + 1);
    lastStep = step;
    return generate({ secret: totpSecret, epoch: step * 30 });
  }

  /**
   * The person opening the device's link in the browser: the verification address sends them to
   * the web UI's approval page, which (once they are signed in) shows who asks for what.
   */
  async function openApproval(codes: DeviceCodes): Promise<void> {
    await page.goto(codes.verification_uri_complete);
    await page.getByRole('heading', { name: /^Connect .*\?$/ }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/auth/device');
    assert.ok((await page.locator('main').innerText()).includes(codes.user_code), 'the code to compare');
  }

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    stack = await startStack('postgres');
    org = stack.setup.organization;
    owner = new TokenCaller(stack.baseUrl, stack.setup.token);
    const cli = await runCli(
      [
        'createuser',
        '--email',
        EMAIL,
        '--password-stdin',
        '--org',
        org,
        '--role',
        'member',
        ...stack.target.cliArgs,
      ],
      { input: `${PASSWORD}\n` },
    );
    assert.equal(cli.code, 0, `createuser: ${cli.stderr}${cli.stdout}`);
    const members = await owner.get<{ id: string; email: string; user: { id: string } }[]>(
      `/organizations/${org}/members/`,
    );
    const member = members.find((m) => m.email === EMAIL)!;
    memberId = member.user.id;
    await owner.expect(201, 'POST', `/organizations/${org}/members/${member.id}/teams/${stack.setup.team}/`, {
      body: {},
    });

    const session = await SessionCaller.signIn(stack.baseUrl, EMAIL, PASSWORD);
    const begun = await session.expect<{ secret: string }>(201, 'POST', '/users/me/2fa/totp/');
    totpSecret = begun.secret;
    const confirmed = await session.expect<{ recoveryCodes: string[] }>(
      200,
      'POST',
      '/users/me/2fa/totp/confirm/',
      {
        body: { code: await nextTotpCode() },
      },
    );
    assert.ok(confirmed.recoveryCodes.length > 0);

    page = await chromium.newPage();

    const [key] = await owner.get<{ dsn: { public: string } }[]>(
      `/projects/${org}/${stack.setup.project}/keys/`,
    );
    const dsn = parseTestDsn(key.dsn.public);
    const res = await httpRequest(envelopeUrl(stack.baseUrl, dsn.projectId, dsn.publicKey), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-sentry-envelope' },
      body: eventEnvelope({ message: 'Editor sees this', fingerprint: ['device-e2e'] }).body,
    });
    assert.equal(res.status, 200, res.text());
    issue = await waitFor('the issue', async () => {
      const issues = await owner.get<ApiIssue[]>(`/projects/${org}/${stack!.setup.project}/issues/?query=`);
      return issues[0];
    });
  });

  after(async () => {
    await stack?.dispose();
  });

  it('gives the device a token with the approved scopes once the person approves on the page', async () => {
    const codes = await requestCodes('vscode', 'org:read project:read event:read event:write org:admin');
    assert.equal(codes.verification_uri, `${stack!.baseUrl}/oauth/device`);
    assert.equal(codes.expires_in, 900);
    assert.equal(codes.interval, 5);
    assertOAuthError(await poll(codes), 400, 'authorization_pending');

    // Signed out: the web UI asks to sign in (password, then TOTP) and comes back to the code.
    await page.goto(codes.verification_uri_complete);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel(/Code from your authenticator app/).fill(await nextTotpCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Connect Faultline for VS Code?' }).waitFor();
    assert.equal(
      page.url(),
      `${stack!.baseUrl}/auth/device?user_code=${encodeURIComponent(codes.user_code)}`,
    );
    assert.ok((await page.locator('main').innerText()).includes(codes.user_code), 'the code to compare');
    assert.equal(await page.locator('[data-scope="event:write"]').count(), 1);
    assert.equal(
      await page.locator('[data-scope="org:admin"]').count(),
      0,
      'a member holds no org:admin to give',
    );
    await page.getByText('Asked for but not yours to give: org:admin.').waitFor();
    await chromium.screenshot(page, 'device-approval');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();

    await sleep(codes.interval * 1000);
    const granted = await poll(codes);
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    tokenAnswer.parse(granted.body);
    assert.equal(granted.body.token_type, 'Bearer');
    assert.equal(granted.body.scope, 'org:read project:read event:read event:write');
    assert.equal(granted.headers['cache-control'], 'no-store');

    const device = new TokenCaller(stack!.baseUrl, String(granted.body.access_token));
    const issues = await device.get<ApiIssue[]>(`/projects/${org}/${stack!.setup.project}/issues/?query=`);
    assert.deepEqual(
      issues.map((i) => i.id),
      [issue.id],
    );
    // The owner watches the change stream while the device resolves the issue.
    const stream = await SseClient.connect(`${stack!.baseUrl}/api/0/organizations/${org}/changes/`, {
      Authorization: `Bearer ${stack!.setup.token}`,
    });
    try {
      await stream.until((c) => c.comments.includes('connected'), 5000, 'connected');
      const resolved = await device.expect<ApiIssue>(200, 'PUT', `/issues/${issue.id}/`, {
        body: { status: 'resolved' },
      });
      assert.equal(resolved.status, 'resolved');
      await stream.until(
        (c) => c.messages.some((m) => m.event === 'issue.state_changed'),
        10_000,
        'the state change',
      );
      const change = JSON.parse(stream.messages.find((m) => m.event === 'issue.state_changed')!.data) as {
        surface: string;
        actorUserId: string;
      };
      assert.equal(change.surface, 'vscode', 'made through the token issued to VS Code');
      assert.equal(change.actorUserId, memberId);
    } finally {
      stream.close();
    }
    const updates = await owner.get<{ rows: { surface: string; actor: { email: string } | null }[] }>(
      `/organizations/${org}/audit-logs/?event=issue.update`,
    );
    assert.deepEqual(
      updates.rows.map((row) => [row.surface, row.actor?.email]),
      [['vscode', EMAIL]],
    );
    const tokens = await device.get<{ client: string; scopes: string[] }[]>('/api-tokens/');
    assert.deepEqual(
      tokens.map((token) => [token.client, token.scopes]),
      [['vscode', ['org:read', 'project:read', 'event:read', 'event:write']]],
    );
    const refused = await device.request('PUT', `/organizations/${org}/`, { body: { name: 'Renamed' } });
    assert.equal(refused.status, 403, `org:write was never granted: ${refused.text}`);

    const log = await owner.get<{
      rows: { actor: { email: string } | null; data: Record<string, unknown> }[];
    }>(`/organizations/${org}/audit-logs/?event=apitoken.create`);
    const created = log.rows.find((row) => row.data.via === 'device_code');
    assert.ok(created, JSON.stringify(log.rows));
    assert.equal(created.actor?.email, EMAIL);
    assert.equal(created.data.client, 'vscode');

    assertOAuthError(await poll(codes), 400, 'invalid_grant');
  });

  it('says slow_down to a device that polls before its interval', async () => {
    const codes = await requestCodes('cli');
    assertOAuthError(await poll(codes, 'cli'), 400, 'authorization_pending');
    const tooSoon = await poll(codes, 'cli');
    assertOAuthError(tooSoon, 400, 'slow_down');
    assert.match(String(tooSoon.body.error_description), /10 seconds/);
  });

  it('answers access_denied when the person denies, and the code cannot be answered twice', async () => {
    const codes = await requestCodes();
    // The same request open in two tabs: denied in one, the other's approval is refused.
    await openApproval(codes);
    const other = await chromium.newPage();
    const first = page;
    page = other;
    await openApproval(codes);
    page = first;
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { name: 'Sign-in denied' }).waitFor();
    assertOAuthError(await poll(codes), 400, 'access_denied');
    await other.getByRole('button', { name: 'Approve' }).click();
    const refused = other.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /already approved or denied/);
    await other.close();
    assertOAuthError(await poll(codes), 400, 'access_denied');
  });

  it('answers expired_token after the code expired, and the page no longer knows the code', async () => {
    const codes = await requestCodes();
    await openApproval(codes);
    // 15 minutes pass.
    await stack!.target.withKnex((knex) =>
      knex('device_authorizations').update({ expires_at: new Date(Date.now() - 1000) }),
    );
    assertOAuthError(await poll(codes), 400, 'expired_token');
    await page.goto(codes.verification_uri_complete);
    const error = page.getByRole('alert');
    await error.waitFor();
    assert.match(await error.innerText(), /No sign-in is waiting for this code/);
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
  });

  it('refuses another client, unknown clients and grant types, and JSON bodies, in the RFC shape', async () => {
    const codes = await requestCodes('vscode');
    assertOAuthError(await poll(codes, 'cli'), 400, 'invalid_grant');
    assertOAuthError(await poll(codes, 'not-a-client'), 401, 'invalid_client');
    assertOAuthError(await oauth('/oauth/device/code', { client_id: 'not-a-client' }), 401, 'invalid_client');
    assertOAuthError(
      await oauth('/oauth/device/code', { client_id: 'vscode', scope: 'root' }),
      400,
      'invalid_scope',
    );
    assertOAuthError(
      await oauth('/oauth/token', { grant_type: 'password', username: EMAIL, password: PASSWORD }),
      400,
      'unsupported_grant_type',
    );
    const json = await httpRequest(`${stack!.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: GRANT_TYPE, device_code: codes.device_code, client_id: 'vscode' }),
    });
    assert.equal(json.status, 400);
    assert.equal(json.json<{ error: string }>().error, 'invalid_request');
  });

  it('answers only to a signed-in session, and shows a hostile code as text', async () => {
    const codes = await requestCodes();
    // A token approving would let a narrow token mint a broader one: sessions only.
    const asToken = await owner.request('GET', `/device-authorizations/?userCode=${codes.user_code}`);
    assert.equal(asToken.status, 403, asToken.text);
    const approveAsToken = await owner.request('POST', '/device-authorizations/', {
      body: { userCode: codes.user_code, decision: 'approve' },
    });
    assert.equal(approveAsToken.status, 403, approveAsToken.text);
    const anonymous = await httpRequest(
      `${stack!.baseUrl}/api/0/device-authorizations/?userCode=${codes.user_code}`,
    );
    assert.equal(anonymous.status, 401, anonymous.text());
    assertOAuthError(await poll(codes), 400, 'authorization_pending');

    // The verification address keeps the code, encoded, on its way to the page.
    const hostileCode = '"><script>alert(1)</script>';
    const redirect = await httpRequest(
      `${stack!.baseUrl}/oauth/device?user_code=${encodeURIComponent(hostileCode)}`,
    );
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, `/auth/device?user_code=${encodeURIComponent(hostileCode)}`);
    // What the page shows back from its address is text, never markup.
    await page.goto(`${stack!.baseUrl}/oauth/device?user_code=${encodeURIComponent(hostileCode)}`);
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByLabel('The code your device shows').inputValue(), hostileCode);
    assert.equal(await page.locator('main script').count(), 0);
    assert.deepEqual(chromium.problems, [], 'no console errors (a CSP violation would be one)');
  });
});
