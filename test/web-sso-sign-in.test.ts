import assert from 'node:assert/strict';
import { ok } from '@faultline/api-client';
import type { Page } from 'playwright-core';
import { startTestProvider, type TestProvider } from '../core/src/api/sso-test-provider';
import { useChromium } from './support/chromium';
import type { Stack } from './support/stack';
import { startWebStack } from './support/web-session';

/**
 * An organization's own sign-in page, `/auth/login/{org}/`, in Chromium against a real `faultline
 * start`: it offers the organization's single sign-on by its provider's name (a real OpenID
 * provider on loopback), and the button starts the flow there.
 */
describe('web UI: an organization sign-in page offers its SSO', function () {
  this.timeout(120_000);
  const chromium = useChromium();
  let stack: Stack;
  let idp: TestProvider;
  let page: Page;
  let org = '';

  before(async function () {
    this.timeout(180_000);
    stack = await startWebStack([]);
    org = stack.setup.organization;
    idp = await startTestProvider([`${stack.baseUrl}/api/0/auth/sso/${org}/callback/`]);
    await ok(
      stack.api.client.PUT('/api/0/organizations/{organization}/sso/', {
        params: { path: { organization: org } },
        body: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      }),
    );
    page = await chromium.newPage();
  });
  after(async () => {
    await idp?.close();
    await stack?.dispose();
  });

  /** Opens the sign-in page of `slug` and waits until it knows what the organization offers. */
  const open = async (slug: string) => {
    const answered = page.waitForResponse((r) => r.url().includes(`/api/0/auth/sign-in/${slug}/`));
    await page.goto(`${stack.baseUrl}/auth/login/${slug}/?next=/organizations/${org}/issues/`);
    assert.equal((await answered).status(), 200);
    await page.getByLabel('Password').waitFor();
  };

  it('shows the password form and "Sign in with <provider>", which goes to the provider', async () => {
    await open(org);
    const button = page.getByRole('button', { name: `Sign in with ${new URL(idp.issuer).host}` });
    await button.waitFor();
    assert.equal(await page.getByLabel('Organization (its short name)').count(), 0);
    await chromium.screenshot(page, 'sign-in-organization-sso');
    await button.click();
    await page.waitForURL((url) => url.href.startsWith(idp.issuer), { timeout: 30_000 });
    // The provider's own sign-in, reached with Faultline's authorization request.
    assert.ok(page.url().startsWith(idp.issuer), page.url());
  });

  it('an organization that does not exist looks like one without SSO: the password form only', async () => {
    await open('no-such-organization');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Sign in with/ }).count(), 0);
  });
});
