import assert from 'node:assert/strict';
import { ok } from '@faultline/api-client';
import type { Page } from 'playwright-core';
import { waitFor } from './support/api';
import { useChromium } from './support/chromium';
import { envelopeUrl, eventEnvelope, parseTestDsn } from './support/envelopes';
import { httpRequest } from './support/http';
import type { Stack } from './support/stack';
import { signInOnWebPage, startWebStack } from './support/web-session';

const OWNER = { email: 'owner@example.com', password: 'an owner passphrase that is long', role: 'owner' };
const MEMBER = { email: 'member@example.com', password: 'a member passphrase that is long', role: 'member' };
const TITLE = 'cart checkout failed';

/**
 * An organization's own settings pages in Chromium against a real `faultline start`: teams with
 * their members and projects, the audit log, the 2FA requirement and single sign-on; and the issue
 * list's environment select with the issue's last release. Each change is checked through the API.
 */
describe('web UI organization settings in Chromium', function () {
  this.timeout(120_000);
  const chromium = useChromium();
  let stack: Stack;
  let page: Page;
  let org = '';

  /** Sends one event of the test's issue, as an SDK would, from `environment` in `release`. */
  const report = async (environment: string, release: string) => {
    const { publicKey, projectId } = parseTestDsn(stack.setup.dsn);
    const event = eventEnvelope({
      message: TITLE,
      fingerprint: ['checkout'],
      fields: { environment, release },
    });
    const answer = await httpRequest(envelopeUrl(stack.baseUrl, projectId, publicKey), {
      method: 'POST',
      body: event.body,
    });
    assert.equal(answer.status, 200, answer.text());
  };

  before(async function () {
    this.timeout(180_000);
    stack = await startWebStack([OWNER, MEMBER]);
    org = stack.setup.organization;
    await report('production', 'shop@1.0');
    await report('staging', 'shop@2.0');
    await waitFor('both events stored', async () => {
      const [issue] = await stack.api.issues(org, stack.setup.project);
      return issue && Number(issue.count) === 2 ? issue : undefined;
    });
    page = await chromium.newPage();
  });
  after(async () => {
    await stack?.dispose();
  });

  const api = () => stack.api.client;
  const memberOf = async (email: string) => {
    const members = await ok(
      api().GET('/api/0/organizations/{organization}/members/', { params: { path: { organization: org } } }),
    );
    return members.find((member) => member.email === email)!;
  };
  const teamProjects = async (team: string) =>
    (
      await ok(
        api().GET('/api/0/teams/{organization}/{team}/projects/', {
          params: { path: { organization: org, team } },
        }),
      )
    ).map((project) => project.slug);
  const team = () => page.getByRole('article', { name: 'Payments' });

  it('an owner creates a team, adds and removes a member and a project, and deletes it', async () => {
    await signInOnWebPage(page, stack.baseUrl, `/settings/${org}/`, OWNER.email, OWNER.password);
    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('heading', { name: 'Teams', level: 2 }).waitFor();
    await page.getByLabel('Team name').fill('Payments');
    await page.getByRole('button', { name: 'Create team' }).click();
    await team().waitFor();

    await team().getByLabel('Add a member to payments').selectOption({ label: MEMBER.email });
    await team().getByRole('button', { name: 'Add member' }).click();
    await team()
      .getByRole('button', { name: `Remove ${MEMBER.email} from payments` })
      .waitFor();
    assert.ok(
      (await memberOf(MEMBER.email)).teams.includes('payments'),
      'the API has the member on the team',
    );

    await team().getByLabel('Add a project to payments').selectOption({ label: stack.setup.project });
    await team().getByRole('button', { name: 'Add project' }).click();
    await team()
      .getByRole('button', { name: `Remove ${stack.setup.project} from payments` })
      .waitFor();
    assert.deepEqual(await teamProjects('payments'), [stack.setup.project]);
    await chromium.screenshot(page, 'organization-teams');

    await team()
      .getByRole('button', { name: `Remove ${MEMBER.email} from payments` })
      .click();
    await team().getByText('No members.').waitFor();
    assert.ok(!(await memberOf(MEMBER.email)).teams.includes('payments'));
    await team()
      .getByRole('button', { name: `Remove ${stack.setup.project} from payments` })
      .click();
    await team().getByText('No projects.').waitFor();
    assert.deepEqual(await teamProjects('payments'), []);

    await team().getByRole('button', { name: 'Delete team payments' }).click();
    await team().waitFor({ state: 'detached' });
    const gone = await api().GET('/api/0/teams/{organization}/{team}/', {
      params: { path: { organization: org, team: 'payments' } },
    });
    assert.equal(gone.response.status, 404);
    assert.deepEqual(chromium.problems, [], 'no console errors');
  });

  it('the audit log shows those changes as made on the web, and filters by event', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const log = page.getByRole('table', { name: 'Audit log' });
    const created = log.getByRole('row').filter({ hasText: 'team.create' });
    await created.first().waitFor();
    assert.match(await created.first().innerText(), new RegExp(`${OWNER.email}[\\s\\S]*web`));
    await page.getByLabel('Event').selectOption('team.remove');
    await page.waitForURL((url) => url.searchParams.get('event') === 'team.remove');
    await log.getByRole('row').filter({ hasText: 'team.create' }).waitFor({ state: 'detached' });
    const rows = await log.locator('tbody tr').allInnerTexts();
    assert.ok(rows.length >= 1 && rows.every((row) => row.includes('team.remove')), rows.join('\n'));
    await chromium.screenshot(page, 'organization-audit-log');
  });

  it("requiring 2FA without 2FA of one's own is refused in the API's words; SSO is saved", async () => {
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByLabel('Require two-factor authentication of every member').click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Turn on two-factor authentication for your own account' })
      .waitFor();
    assert.equal(
      await page.getByLabel('Require two-factor authentication of every member').isChecked(),
      false,
    );
    const details = await ok(
      api().GET('/api/0/organizations/{organization}/', { params: { path: { organization: org } } }),
    );
    assert.equal(details.require2FA, false);

    const sso = page.getByRole('form', { name: 'Single sign-on settings' });
    await sso.getByLabel('Issuer').fill('http://127.0.0.1:9/');
    await sso.getByLabel('Client ID').fill('faultline-web');
    await sso.getByLabel('Client secret').fill('a client secret');
    await sso.getByLabel('Allowed email domains').fill('example.com, example.org');
    await sso.getByRole('button', { name: 'Save single sign-on' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = await ok(
      api().GET('/api/0/organizations/{organization}/sso/', { params: { path: { organization: org } } }),
    );
    assert.equal(saved.provider?.issuer, 'http://127.0.0.1:9');
    assert.deepEqual(saved.provider?.allowedDomains, ['example.com', 'example.org']);
    assert.ok(!(await page.content()).includes('a client secret'), 'the secret is not shown back');
    await chromium.screenshot(page, 'organization-security');
  });

  it("the issue list's environment is chosen from those seen; the issue shows its last release", async () => {
    await page.goto(`${stack.baseUrl}/organizations/${org}/issues/`);
    const environment = page.getByLabel('Environment');
    await environment.locator('option', { hasText: 'staging' }).waitFor({ state: 'attached' });
    const offered = await environment.locator('option').allInnerTexts();
    assert.deepEqual(offered, ['All environments', 'production', 'staging']);
    await environment.selectOption('staging');
    await page.waitForURL((url) => url.searchParams.get('environment') === 'staging');
    await page.getByRole('link', { name: TITLE }).click();
    await page.getByText('in shop@2.0').waitFor();
    await page.getByText('in shop@1.0').waitFor();
    await chromium.screenshot(page, 'issue-last-release');
  });

  it('a member sees the teams but no control to change them, and no audit log or security tab', async () => {
    await chromium.clearCookies();
    await signInOnWebPage(page, stack.baseUrl, `/settings/${org}/teams/`, MEMBER.email, MEMBER.password);
    await page.getByRole('heading', { name: 'Teams', level: 2 }).waitFor();
    await page.getByRole('article', { name: stack.setup.team }).waitFor();
    assert.equal(
      await page
        .getByRole('button')
        .filter({ hasText: /Create team|Delete team|Remove|Add/ })
        .count(),
      0,
    );
    const tabs = page.getByRole('navigation', { name: 'Organization settings' });
    assert.equal(await tabs.getByRole('link', { name: 'Audit log' }).count(), 0);
    assert.equal(await tabs.getByRole('link', { name: 'Security' }).count(), 0);
  });
});
