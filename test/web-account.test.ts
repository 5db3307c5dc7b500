import assert from 'node:assert/strict';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { useChromium } from './support/chromium';
import { startStack, type Stack } from './support/stack';
import { createPerson, signInOnWebPage } from './support/web-session';

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
    stack = await startStack('embedded', {
      beforeStart: async (cliArgs) =>
        createPerson(cliArgs, { ...PERSON, org: stack?.setup.organization ?? 'faultline' }),
    });
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
    await form.getByText('The two new passwords differ.').waitFor();

    await form.getByLabel('New password again').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    const refusal = form.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /password/i);

    await form.getByLabel('Current password').fill(PERSON.password);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('Your password is changed.').waitFor();
  });

  it('enrols 2FA from the QR page, shows the recovery codes once, then sign-in asks for the code', async () => {
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
  });
});
