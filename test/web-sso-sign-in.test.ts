import assert from 'node:assert/strict';
import { ok } from '@faultline/api-client';
import { startTestProvider, type TestProvider } from '../core/src/api/sso-test-provider';
import { useWebStack } from './support/web-session';

/**
 * An organization's own sign-in page, `/auth/login/{org}/`, in Chromium against a real `faultline
 * start`: it offers the organization's single sign-on by its provider's name (a real OpenID
 * provider on loopback), and the button starts the flow there.
 */
describe('web UI: an organization sign-in page offers its SSO', function () {
  this.timeout(120_000);
  const web = useWebStack([]);
  let idp: TestProvider;
  let org = '';

  before(async () => {
    org = web.stack.setup.organization;
    idp = await startTestProvider([`${web.stack.baseUrl}/api/0/auth/sso/${org}/callback/`]);
    await ok(
      web.stack.api.client.PUT('/api/0/organizations/{organization}/sso/', {
        params: { path: { organization: org } },
        body: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      }),
    );
  });
  after(async () => {
    await idp?.close();
  });

  /** Opens the sign-in page of `slug` and waits until it knows what the organization offers. */
  const open = async (slug: string) => {
    const answered = web.page.waitForResponse((r) => r.url().includes(`/api/0/auth/sign-in/${slug}/`));
    await web.page.goto(`${web.stack.baseUrl}/auth/login/${slug}/?next=/organizations/${org}/issues/`);
    assert.equal((await answered).status(), 200);
    await web.page.getByLabel('Password').waitFor();
  };

  it('shows the password form and "Sign in with <provider>", which goes to the provider', async () => {
    await open(org);
    const button = web.page.getByRole('button', { name: `Sign in with ${new URL(idp.issuer).host}` });
    await button.waitFor();
    assert.equal(await web.page.getByLabel('Organization (its short name)').count(), 0);
    await web.chromium.screenshot(web.page, 'sign-in-organization-sso');
    await button.click();
    await web.page.waitForURL((url) => url.href.startsWith(idp.issuer), { timeout: 30_000 });
    // The provider's own sign-in, reached with Faultline's authorization request.
    assert.ok(web.page.url().startsWith(idp.issuer), web.page.url());
  });

  it('an organization that does not exist looks like one without SSO: the password form only', async () => {
    await open('no-such-organization');
    await web.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await web.page.getByRole('button', { name: /Sign in with/ }).count(), 0);
  });
});
