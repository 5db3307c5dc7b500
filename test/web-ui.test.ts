import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openChangeStream, type ChangeEvent } from '@faultline/api-client';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { waitFor } from './support/api';
import { useChromium } from './support/chromium';
import { REPO_ROOT } from './support/cli';
import { ChildApp } from './support/child-app';
import type { DatabaseTarget } from './support/database';
import { FaultlineServer } from './support/server';
import { SessionCaller, TokenCaller } from './support/session';
import {
  ADMIN_EMAIL as ADMIN,
  printedDsn,
  printedPasswordLink,
  printedToken,
  startFirstRun,
  submitPassword as submitPasswordOn,
} from './support/web-ui';

const PASSWORD = 'a long enough passphrase for the admin';
/** What test/support/sentry-one-error-app.ts throws, as the issue's title. */
const THROWN_TITLE = 'RangeError: Invoice INV-7731 has a negative balance';

/** A one-time code of the window after this one (the current one may have been used already). */
const nextTotpCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

/** The web UI in Chromium against a real `faultline start --bootstrap`, as a newcomer meets it. */
describe('web UI in Chromium', function () {
  this.timeout(120_000);
  const chromium = useChromium();
  let target: DatabaseTarget;
  let server: FaultlineServer;
  let url: string;
  let port: number;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    if (!fs.existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html')))
      throw new Error('web/dist is not built: run `npm run build` (npm test does it)');
    ({ target, server, url, port } = await startFirstRun('embedded'));
    page = await chromium.newPage();
  });
  after(async () => {
    await server?.stop();
    await target?.dispose();
  });

  /** Signs in on the sign-in page with a password (and stops there). */
  const submitPassword = (password: string) => submitPasswordOn(page, ADMIN, password);

  it('the first start prints a one-time link where the admin chooses a password', async () => {
    const printed = await printedPasswordLink(server);
    assert.ok(printed.startsWith(`${url}/auth/reset-password?token=`), printed);
    await page.goto(printed);
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password again').fill(PASSWORD);
    await chromium.screenshot(page, 'choose-password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is set.').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    assert.equal(new URL(page.url()).pathname, '/auth/login');
  });

  it('a wrong password is refused in words, the right one opens the issue list', async () => {
    await submitPassword('not the passphrase at all');
    const error = page.getByRole('alert');
    await error.waitFor();
    assert.match(await error.innerText(), /email or password/i);
    await chromium.screenshot(page, 'sign-in-wrong-password');

    await submitPassword(PASSWORD);
    await page.getByRole('heading', { name: 'Issues' }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/organizations\/faultline\/issues\/?$/);
    await page.getByText('No issues match.').waitFor();
  });

  it('an issue the real @sentry/node SDK reports appears in the open list by itself, with level, culprit, short id and counts', async () => {
    const dsn = printedDsn(server);
    const token = printedToken(server);
    const app = new ChildApp('sentry-one-error-app.ts', { FAULTLINE_DSN: dsn });
    await app.report('sent');
    await app.finished();
    const api = new TokenCaller(url, token);
    const [issue] = await waitFor('the reported issue', async () => {
      const found = await api.get<{ shortId: string; title: string; culprit: string }[]>(
        '/projects/faultline/app/issues/?query=',
      );
      return found.length > 0 ? found : undefined;
    });
    assert.equal(issue.title, THROWN_TITLE);

    // The list was open before the event came: the change stream brings the row, no reload.
    const row = page.getByRole('row').filter({ hasText: THROWN_TITLE });
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /error/i);
    assert.ok(text.includes(issue.shortId), text);
    assert.ok(text.includes(issue.culprit), text);
    assert.match(text, /\b1\b/);
    await chromium.screenshot(page, 'issues');
    // The same list at a phone's width and in the system's dark mode, for people to look at.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await row.waitFor();
    await chromium.screenshot(page, 'issues-phone-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(chromium.problems, [], 'no console errors (a CSP violation would be one)');
  });

  it('opens the issue at its permalink: the stack trace shows the throwing function; resolve and reopen it', async () => {
    const token = printedToken(server);
    const api = new TokenCaller(url, token);
    const [listed] = await api.get<{ id: string; permalink: string }[]>(
      '/projects/faultline/app/issues/?query=',
    );
    await page.getByRole('link', { name: THROWN_TITLE }).click();
    await page.getByRole('heading', { level: 1, name: THROWN_TITLE }).waitFor();
    assert.equal(page.url(), listed.permalink);
    const inApp = page.locator('.frame.in-app').first();
    await inApp.waitFor();
    assert.match(await inApp.innerText(), /settleInvoice/);
    assert.match(await inApp.innerText(), /throw new RangeError/, 'the source line around the frame');
    await chromium.screenshot(page, 'issue');

    // The change stream says who resolved it and through which surface: the session's, `web`.
    const stream = openChangeStream({ baseUrl: url, token, organization: 'faultline' });
    const seen: ChangeEvent[] = [];
    const reading = (async () => {
      for await (const change of stream) {
        seen.push(change);
        if (change.kind === 'state_changed' && change.issueId === listed.id) return change;
      }
      return undefined;
    })();
    await new Promise((r) => setTimeout(r, 500)); // the stream starts at its current end
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('button', { name: 'Unresolve' }).waitFor();
    const resolved = await api.get<{ status: string }>(`/issues/${listed.id}/`);
    assert.equal(resolved.status, 'resolved');
    const change = await Promise.race([
      reading,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
    ]);
    stream.close();
    assert.ok(change, `no state change of the issue on the stream; saw ${JSON.stringify(seen)}`);
    assert.equal(change.surface, 'web', JSON.stringify(change));

    await page.getByRole('button', { name: 'Unresolve' }).click();
    await page.getByRole('button', { name: 'Resolve' }).waitFor();
    assert.equal((await api.get<{ status: string }>(`/issues/${listed.id}/`)).status, 'unresolved');

    // Resolved elsewhere (here: the API with a token), the open page follows within seconds.
    await api.expect(200, 'PUT', `/issues/${listed.id}/`, { body: { status: 'resolved' } });
    await page.getByRole('button', { name: 'Unresolve' }).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Unresolve' }).click();
    await page.getByRole('button', { name: 'Resolve' }).waitFor();
    await page.getByRole('link', { name: /Issues of/ }).click();
    await page.getByRole('heading', { name: 'Issues' }).waitFor();
  });

  it("shows the API's error for a query it refuses, under the query bar", async () => {
    await page.getByLabel('Search issues').fill('is:sideways');
    await page.getByRole('button', { name: 'Search' }).click();
    const error = page.locator('#query-error');
    await error.waitFor();
    assert.match(
      await error.innerText(),
      // The page asks for `is:<tab> <typed>`, so the position counts the tab's condition too.
      /Invalid search at character \d+ \("is:sideways"\): is:sideways is not a state/,
    );
    await chromium.screenshot(page, 'issues-query-error');
    await page.getByRole('link', { name: 'Resolved', exact: true }).click();
    await page.getByLabel('Search issues').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No issues match.').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('status'), 'resolved');
  });

  it('with 2FA on, asks for the code after the password: a wrong code is refused, the right one signs in', async () => {
    const session = await SessionCaller.signIn(url, ADMIN, PASSWORD);
    const { secret } = await session.expect<{ secret: string }>(201, 'POST', '/users/me/2fa/totp/');
    await session.expect(200, 'POST', '/users/me/2fa/totp/confirm/', {
      body: { code: await generate({ secret }) },
    });

    await chromium.clearCookies();
    await page.goto(`${url}/organizations/faultline/issues/`);
    // Signed out: the page sends the person to sign in, and back here afterwards.
    await page.getByRole('heading', { name: 'Sign in to Faultline' }).waitFor();
    await submitPassword(PASSWORD);
    const code = page.getByLabel(/Code from your authenticator app/);
    await code.waitFor();
    await code.fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    const error = page.getByRole('alert');
    await error.waitFor();
    assert.match(await error.innerText(), /code/i);
    await chromium.screenshot(page, 'sign-in-wrong-totp');

    await code.fill(await nextTotpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('row').filter({ hasText: THROWN_TITLE }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/organizations\/faultline\/issues\/$/);
  });

  it('says so when the server is unreachable, and recovers by itself when it is back', async () => {
    await server.stop();
    await page.getByRole('link', { name: 'Resolved', exact: true }).click();
    const banner = page.getByRole('status').filter({ hasText: 'The Faultline server cannot be reached' });
    await banner.waitFor();
    await chromium.screenshot(page, 'server-unreachable');
    server = await FaultlineServer.start(target, { port, healthTimeoutMs: 60_000 });
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await page.getByText('No issues match.').waitFor();
  });

  it('signs out: the session ends, and the list asks to sign in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Faultline' }).waitFor();
    await page.goto(`${url}/organizations/faultline/issues/?status=resolved`);
    await page.getByRole('heading', { name: 'Sign in to Faultline' }).waitFor();
    const next = new URL(page.url()).searchParams.get('next');
    assert.equal(next, '/organizations/faultline/issues/?status=resolved');
  });
});
