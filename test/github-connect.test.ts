import assert from 'node:assert/strict';
import { StandInGitHub } from '@faultline/extension-github/testing';
import type { Page } from 'playwright-core';
import { isPostgresReachable } from '../core/src/testing/databases';
import { useChromium } from './support/chromium';
import { startStack, type Stack } from './support/stack';
import { createPerson, signInOnWebPage } from './support/web-session';

const PERSON = {
  email: 'grace@example.com',
  password: 'a connecting passphrase that is long',
  role: 'member',
};
const OAUTH_APP = { clientId: 'Iv1.e2econnect', clientSecret: 'e2e-oauth-client-secret' };
const GRACE_ON_GITHUB = 'grace-gh';
const LINKED_ACCOUNTS = '/settings/account/linked-accounts/';

/**
 * Connect GitHub in Chromium against a real `faultline start` (Postgres and the embedded database):
 * a member presses the button on their linked accounts, goes through the stand-in GitHub's OAuth web
 * flow (authorize → callback → code exchange → GET /user) and lands back with the link listed.
 */
for (const kind of ['postgres', 'embedded'] as const) {
  describe(`web UI: Connect GitHub in Chromium [${kind}]`, function () {
    this.timeout(180_000);
    const chromium = useChromium();
    let github: StandInGitHub;
    let stack: Stack | undefined;
    let page: Page;

    before(async function () {
      if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
      github = await new StandInGitHub().start();
      github.oauthApp = OAUTH_APP;
      github.signedInLogin = GRACE_ON_GITHUB;
      stack = await startStack(kind, {
        healthTimeoutMs: 120_000,
        env: {
          PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true',
          PLUGIN_CONFIG_GITHUB: JSON.stringify({
            baseUrl: github.url,
            token: 'github_pat_e2e',
            oauthClientId: OAUTH_APP.clientId,
            oauthClientSecret: OAUTH_APP.clientSecret,
          }),
        },
        beforeStart: (cliArgs) => createPerson(cliArgs, { ...PERSON, org: 'faultline' }),
      });
      page = await chromium.newPage();
    });
    after(async () => {
      await stack?.dispose();
      await github?.close();
    });

    it('links the GitHub account the person authorized, in their organization, from the linked accounts page', async () => {
      await signInOnWebPage(page, stack!.baseUrl, LINKED_ACCOUNTS, PERSON.email, PERSON.password);
      await page.getByRole('heading', { name: 'Linked accounts' }).waitFor();
      await page.getByText('No linked accounts.').waitFor();
      const connect = page.getByRole('link', { name: 'Connect GitHub' });
      await connect.waitFor();
      await chromium.screenshot(page, 'github-connect-before');
      await connect.click();

      // Back from GitHub on the same page, with the GitHub user id linked in the organization.
      await page.waitForURL(
        (url) => url.pathname === LINKED_ACCOUNTS && url.host === new URL(stack!.baseUrl).host,
      );
      const table = page.getByRole('table', { name: 'Linked accounts' });
      await table.getByText(String(github.userId(GRACE_ON_GITHUB))).waitFor();
      await table.getByText('GitHub').waitFor();
      await chromium.screenshot(page, 'github-connect-after');
      assert.deepEqual(
        github.requests
          .filter((r) => r.path.startsWith('/login/oauth/') || r.path === '/user')
          .map((r) => r.path),
        ['/login/oauth/authorize', '/login/oauth/access_token', '/user'],
      );

      // Opening the callback again (say, from the history) links nothing and says why.
      const authorize = github.requests.find((r) => r.path === '/login/oauth/authorize')!;
      const state = authorize.query.get('state');
      await page.goto(`${stack!.baseUrl}/api/0/plugins/github/connect/callback?state=${state}&code=again`);
      await page
        .getByRole('heading', { name: 'This GitHub connection is unknown or was already used' })
        .waitFor();
      assert.deepEqual(chromium.problems, []);
    });
  });
}
