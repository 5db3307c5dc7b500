import assert from 'node:assert/strict';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { useChromium } from './support/chromium';
import type { Stack } from './support/stack';
import { signInOnWebPage, startWebStack } from './support/web-session';

const PERSON = { email: 'person@example.com', password: 'a first passphrase that is long', role: 'member' };
const NEW_PASSWORD = 'a second passphrase, longer still';

/** The code of the next 30 s window: the one just used to enrol may not be used again. */
const nextTotpCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

/** Your account's password and 2FA pages in Chromium against a real `faultline start`. */
describe('web UI account security in Chromium', function () {
  this.timeout(120_000);
  const chromium = useChromium();
  let stack: Stack;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    stack = await startWebStack([PERSON], 'embedded');
    page = await chromium.newPage();
  });
  after(async () => {
    await stack?.dispose();
  });

  const security = () => page.getByRole('link', { name: 'Password and 2FA' });

  it('changes the password: a wrong current one is refused, different new ones are caught', async () => {
    await signInOnWebPage(page, stack.baseUrl, '/settings/account/', PERSON.email, PERSON.password);
    await security().click();
    await page.getByRole('heading', { name: 'Password', exact: true }).waitFor();

    const form = page.getByRole('form', { name: 'Password' });
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await form.getByLabel('New password again').fill(`${NEW_PASSWORD}!`);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('The two passwords differ.').waitFor();

    await form.getByLabel('New password again').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    const refusal = form.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /password/i);

    await form.getByLabel('Current password').fill(PERSON.password);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('Your password is changed.').waitFor();
  });

  it("enrols 2FA from the QR page, shows the recovery codes once, then sign-in asks for a code: the app's or a recovery code", async () => {
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const secret = (await page.getByLabel('Secret').innerText()).trim();
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    await chromium.screenshot(page, 'account-2fa-enrol');

    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('alert').waitFor();

    await page.getByLabel('Code from your authenticator app').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Two-factor authentication is on.').waitFor();
    const codes = await page
      .getByRole('list', { name: 'Recovery codes' })
      .getByRole('listitem')
      .allInnerTexts();
    assert.ok(codes.length >= 8, `recovery codes: ${codes.join(', ')}`);
    await chromium.screenshot(page, 'account-2fa-recovery-codes');

    // Shown once: the page opened again only says 2FA is on.
    await page.reload();
    await page.getByText('signing in asks for a code').waitFor();
    assert.equal(await page.getByText(codes[0]).count(), 0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Faultline' }).waitFor();
    // The old password no longer works; the new one leads to the code step.
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(PERSON.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel(/Code from your authenticator app/);
    await code.fill(await nextTotpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname !== '/auth/login');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // Without the authenticator app: one of the recovery codes shown at enrolment signs in too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Faultline' }).waitFor();
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel(/or a recovery code/).fill(codes[1]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname !== '/auth/login');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('replaces the recovery codes and turns 2FA off, each only with the password', async () => {
    await page.goto(`${stack.baseUrl}/settings/account/security/`);
    const renew = page.getByRole('form', { name: 'New recovery codes' });
    await renew.getByLabel('Your password').fill('not my password');
    await renew.getByRole('button', { name: 'Get new recovery codes' }).click();
    await renew.getByRole('alert').waitFor();

    await renew.getByLabel('Your password').fill(NEW_PASSWORD);
    await renew.getByRole('button', { name: 'Get new recovery codes' }).click();
    const fresh = page.getByRole('status', { name: 'New recovery codes' });
    await fresh.getByText('Your old recovery codes no longer work.').waitFor();
    const codes = await fresh.getByRole('listitem').allInnerTexts();
    assert.ok(codes.length >= 8, `recovery codes: ${codes.join(', ')}`);
    await chromium.screenshot(page, 'account-2fa-new-recovery-codes');

    const off = page.getByRole('form', { name: 'Turn off two-factor authentication' });
    await off.getByLabel('Your password').fill(NEW_PASSWORD);
    await off.getByRole('button', { name: 'Turn off' }).click();
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).waitFor();
    // Signing in now asks for the password only.
    const signIn = await fetch(`${stack.baseUrl}/api/0/auth/login/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: PERSON.email, password: NEW_PASSWORD }),
    });
    assert.equal(((await signIn.json()) as { secondFactorRequired: boolean }).secondFactorRequired, false);
  });

  it('lists your sessions with their browser, and signs out another one', async () => {
    // Another session, from a script rather than this browser.
    const other = await fetch(`${stack.baseUrl}/api/0/auth/login/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'Borrowed laptop' },
      body: JSON.stringify({ email: PERSON.email, password: NEW_PASSWORD }),
    });
    assert.equal(other.status, 200);
    const cookie = other.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const asOther = () => fetch(`${stack.baseUrl}/api/0/users/me/`, { headers: { Cookie: cookie } });
    assert.equal((await asOther()).status, 200);

    await page.goto(`${stack.baseUrl}/settings/account/`);
    await page.getByRole('link', { name: 'Sessions' }).click();
    const table = page.getByRole('table', { name: 'Sessions' });
    await table.getByText('Borrowed laptop').waitFor();
    await table.getByText('This browser').waitFor();
    await chromium.screenshot(page, 'account-sessions');

    await table.getByRole('button', { name: /Sign out Borrowed laptop/ }).click();
    await table.getByText('Borrowed laptop').waitFor({ state: 'detached' });
    assert.equal((await asOther()).status, 401);
    await table.getByText('This browser').waitFor();
    // The one the 2FA test signed in with is still there: sign out all the others.
    await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await page.getByText('1 other session was signed out.').waitFor();
    await page.getByRole('button', { name: 'Sign out all other sessions' }).waitFor({ state: 'detached' });
    await table.getByText('This browser').waitFor();
  });
});
