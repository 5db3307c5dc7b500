import assert from 'node:assert/strict';
import { createFaultlineClient, ok } from '@faultline/api-client';
import type { Page } from 'playwright-core';
import { useChromium } from './support/chromium';
import type { Stack } from './support/stack';
import { startWebStack } from './support/web-session';

const PERSON = { email: 'linker@example.com', password: 'a linking passphrase that is long', role: 'member' };
const NEWCOMER_PASSWORD = 'a newcomer passphrase that is long';

/**
 * The pages links lead to, in Chromium against a real `faultline start`: the account-link page a
 * Slack link opens (signing in on the way), your linked accounts, and the invitation accept page.
 */
describe('web UI account links and invitations in Chromium', function () {
  this.timeout(120_000);
  const chromium = useChromium();
  let stack: Stack;
  let page: Page;
  let organization: string;

  before(async function () {
    this.timeout(180_000);
    stack = await startWebStack([PERSON]);
    organization = stack.setup.organization;
    page = await chromium.newPage();
  });
  after(async () => {
    await stack?.dispose();
  });

  /** What the Slack app does for `/faultline link`: its organization token asks for a link to send. */
  async function slackLink(externalUserId: string): Promise<string> {
    const api = stack.api.client;
    const integration = await ok(
      api.POST('/api/0/organizations/{organization}/org-auth-tokens/', {
        params: { path: { organization } },
        body: { name: 'Slack', client: 'slack', scopes: ['org:read', 'event:read'] },
      }),
    );
    const slack = createFaultlineClient({
      baseUrl: stack.baseUrl,
      token: integration.token,
    });
    const made = await ok(
      slack.POST('/api/0/organizations/{organization}/external-identities/link-requests/', {
        params: { path: { organization } },
        body: { externalWorkspaceId: 'T1', externalUserId },
      }),
    );
    return made.url;
  }

  it('sends someone not signed in to sign in, back to the link, links on confirmation; unlinks from the list', async () => {
    const url = await slackLink('U42');
    assert.equal(new URL(url).pathname, '/account-links/confirm');
    await page.goto(url);
    await page.getByRole('heading', { name: 'Sign in to Faultline' }).waitFor();
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(PERSON.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Link your Slack account' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account-links/confirm');
    await page.getByText(PERSON.email).first().waitFor();
    await page.getByText('U42').first().waitFor();
    await chromium.screenshot(page, 'account-link-confirm');
    await page.getByRole('button', { name: 'Link my account' }).click();
    await page.getByRole('heading', { name: 'Account linked' }).waitFor();

    // Used once: opened again, the page says so in words.
    await page.goto(url);
    await page.getByRole('heading', { name: 'The account was not linked' }).waitFor();
    await page.getByText('already used').waitFor();

    await page.goto(`${stack.baseUrl}/settings/account/`);
    await page.getByRole('link', { name: 'Linked accounts' }).click();
    const table = page.getByRole('table', { name: 'Linked accounts' });
    await table.getByText('U42').waitFor();
    await chromium.screenshot(page, 'account-linked-accounts');
    await table.getByRole('button', { name: `Unlink Slack account U42 in ${organization}` }).click();
    await page.getByText('No linked accounts.').waitFor();
  });

  it('shows an invitation to anyone with the link; a newcomer creates an account and lands in the organization', async () => {
    await chromium.clearCookies();
    const invited = await ok(
      stack.api.client.POST('/api/0/organizations/{organization}/members/', {
        params: { path: { organization } },
        body: { email: 'newcomer@example.com', orgRole: 'admin' },
      }),
    );
    assert.match(new URL(invited.inviteLink).pathname, /^\/accept\/\d+\/[0-9a-f]+\/$/);
    await page.goto(invited.inviteLink);
    await page.getByRole('heading', { name: /^Join / }).waitFor();
    await page.getByText('admin', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Sign in to accept' }).waitFor();
    await chromium.screenshot(page, 'invitation-accept');

    const form = page.getByRole('form', { name: 'New to Faultline? Create your account' });
    await form.getByLabel('Choose a password').fill('short');
    await form.getByLabel('The password again').fill('short');
    await form.getByRole('button', { name: 'Create account and join' }).click();
    await form.getByRole('alert').waitFor();
    await form.getByLabel('Choose a password').fill(NEWCOMER_PASSWORD);
    await form.getByLabel('The password again').fill(NEWCOMER_PASSWORD);
    await form.getByRole('button', { name: 'Create account and join' }).click();
    await page.waitForURL((u) => u.pathname === `/organizations/${organization}/issues/`);
    await page.getByText('newcomer@example.com').waitFor();
    const members = await ok(
      stack.api.client.GET('/api/0/organizations/{organization}/members/', {
        params: { path: { organization } },
      }),
    );
    assert.equal(members.find((m) => m.email === 'newcomer@example.com')?.orgRole, 'admin');
  });

  it('someone with an account signs in from the invitation and accepts; a revoked link is refused in words', async () => {
    await chromium.clearCookies();
    const api = stack.api.client;
    const invite = (email: string) =>
      ok(
        api.POST('/api/0/organizations/{organization}/members/', {
          params: { path: { organization } },
          body: { email },
        }),
      );
    // A second organization for the member, who signs in through the invitation page.
    await ok(api.POST('/api/0/organizations/', { body: { name: 'Second', slug: 'second' } }));
    const second = await ok(
      api.POST('/api/0/organizations/{organization}/members/', {
        params: { path: { organization: 'second' } },
        body: { email: PERSON.email, orgRole: 'member' },
      }),
    );
    await page.goto(second.inviteLink);
    await page.getByRole('link', { name: 'Sign in to accept' }).click();
    await page.getByLabel('Email').fill(PERSON.email);
    await page.getByLabel('Password').fill(PERSON.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Accept and join Second' }).click();
    await page.waitForURL((u) => u.pathname === '/organizations/second/issues/');

    const revoked = await invite('revoked@example.com');
    await ok(
      api.DELETE('/api/0/organizations/{organization}/invited-members/{inviteId}/', {
        params: { path: { organization, inviteId: revoked.id } },
      }),
    );
    await page.goto(revoked.inviteLink);
    await page.getByRole('heading', { name: "This invitation can't be used" }).waitFor();
    await page.getByText(/revoked, already accepted, or copied incompletely/).waitFor();
    await chromium.screenshot(page, 'invitation-revoked');
  });
});
