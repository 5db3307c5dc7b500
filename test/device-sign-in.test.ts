import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { isPostgresReachable } from '../core/src/testing/databases';
import { SseClient } from '../core/src/testing/sse-client';
import { deviceCodeAnswer, oauthErrorAnswer, tokenAnswer } from '../core/src/api/oauth/schemas';
import { waitFor, type ApiIssue } from './support/api';
import { Browser, type PageAnswer } from './support/browser';
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
 * the person opens the verification page, signs in with password and TOTP, and approves; the
 * device gets a token with the approved scopes (never more than the person's) and uses it. Then
 * what must not work: polling too fast, reuse, denial, expiry, another client, forged forms.
 */
describe('device sign-in (RFC 8628) with real processes [postgres]', function () {
  this.timeout(120_000);
  let stack: Stack | undefined;
  let owner: TokenCaller;
  let org = '';
  let issue: ApiIssue;
  let totpSecret = '';
  /** The TOTP step last used: a code is accepted once, and at most one step ahead. */
  let lastStep = 0;
  /**
   * For the sign-ins after the first: a TOTP code is good once per 30 s step, so they take the
   * other second factor, recovery codes, rather than wait for the next step.
   */
  let recoveryCodes: string[] = [];
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

  /** A person opening the page from the device's link, signing in with password and a second factor: the approval page. */
  async function signInOnPage(
    browser: Browser,
    codes: DeviceCodes,
    secondFactor: 'totp' | 'recovery code' = 'recovery code',
  ): Promise<PageAnswer> {
    const signIn = await browser.get(codes.verification_uri_complete);
    assert.equal(signIn.status, 200, signIn.html);
    assert.match(signIn.html, new RegExp(codes.user_code));
    assert.equal(signIn.headers['x-frame-options'], 'DENY');
    const signedIn = await browser.submit(signIn, '/oauth/device/sign-in', {
      email: EMAIL,
      password: PASSWORD,
    });
    assert.equal(signedIn.status, 303, signedIn.html);
    const codePage = await browser.follow(signedIn);
    assert.match(codePage.html, /Two-factor authentication/);
    const verified = await browser.submit(codePage, '/oauth/device/two-factor', {
      code: secondFactor === 'totp' ? await nextTotpCode() : recoveryCodes.pop()!,
    });
    assert.equal(verified.status, 303, verified.html);
    const approval = await browser.follow(verified);
    assert.equal(approval.status, 200, approval.html);
    return approval;
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
    recoveryCodes = confirmed.recoveryCodes;

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

    const browser = new Browser(stack!.baseUrl);
    const approval = await signInOnPage(browser, codes, 'totp');
    assert.match(approval.html, /Faultline for VS Code/);
    assert.match(approval.html, /data-scope="event:write"/);
    assert.doesNotMatch(approval.html, /data-scope="org:admin"/, 'a member holds no org:admin to give');
    const done = await browser.submit(approval, '/oauth/device/decision', { decision: 'approve' });
    assert.equal(done.status, 200, done.html);
    assert.match(done.html, /Device connected/);

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
    const browser = new Browser(stack!.baseUrl);
    const approval = await signInOnPage(browser, codes);
    const done = await browser.submit(approval, '/oauth/device/decision', { decision: 'deny' });
    assert.match(done.html, /Sign-in denied/);
    assertOAuthError(await poll(codes), 400, 'access_denied');
    const again = await browser.submit(approval, '/oauth/device/decision', { decision: 'approve' });
    assert.equal(again.status, 409, again.html);
    assertOAuthError(await poll(codes), 400, 'access_denied');
  });

  it('answers expired_token after the code expired, and the page no longer knows the code', async () => {
    const codes = await requestCodes();
    const browser = new Browser(stack!.baseUrl);
    await signInOnPage(browser, codes);
    // 15 minutes pass.
    await stack!.target.withKnex((knex) =>
      knex('device_authorizations').update({ expires_at: new Date(Date.now() - 1000) }),
    );
    assertOAuthError(await poll(codes), 400, 'expired_token');
    const page = await browser.get(codes.verification_uri_complete);
    assert.equal(page.status, 404, page.html);
    assert.match(page.html, /No sign-in is waiting for this code/);
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

  it('refuses forms without their CSRF proof: a decision without the session token, a sign-in without the form cookie', async () => {
    const codes = await requestCodes();
    const browser = new Browser(stack!.baseUrl);
    const approval = await signInOnPage(browser, codes);
    const forged = await browser.submit(approval, '/oauth/device/decision', {
      decision: 'approve',
      csrf_token: 'x',
    });
    assert.equal(forged.status, 403, forged.html);
    assertOAuthError(await poll(codes), 400, 'authorization_pending');

    const stranger = new Browser(stack!.baseUrl);
    const signIn = await stranger.get(codes.verification_uri_complete);
    const fromElsewhere = new Browser(stack!.baseUrl);
    const answer = await fromElsewhere.submit(signIn, '/oauth/device/sign-in', {
      email: EMAIL,
      password: PASSWORD,
    });
    assert.equal(answer.status, 403, answer.html);
    assert.equal(fromElsewhere.cookie('faultline_session'), undefined, 'nobody was signed in');

    // What the page shows back from its address is escaped, never markup.
    const hostile = await stranger.get('/oauth/device?user_code=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    assert.equal(hostile.status, 200);
    assert.doesNotMatch(hostile.html, /<script/);
    assert.match(hostile.html, /&lt;script&gt;/);
    assert.match(String(hostile.headers['content-security-policy']), /default-src 'none'/);
  });
});
