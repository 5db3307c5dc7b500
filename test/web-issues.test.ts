import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openChangeStream, type ChangeEvent } from '@faultline/api-client';
import type { Page } from 'playwright-core';
import { isPostgresReachable } from '../core/src/testing/databases';
import { BROWSER_THROWN_TITLE, BrowserSdkPage } from './support/browser-sdk-page';
import { useChromium } from './support/chromium';
import { REPO_ROOT } from './support/cli';
import { TokenCaller } from './support/session';
import { createPerson } from './support/web-session';
import {
  ADMIN_EMAIL,
  printedDsn,
  printedToken,
  setAdminPassword,
  startFirstRun,
  submitPassword,
  type FirstRun,
} from './support/web-ui';

const PASSWORD = 'a long enough passphrase for the admin';
const MEMBER = {
  email: 'member@faultline.local',
  password: 'a member passphrase, long enough',
  role: 'member',
} as const;
const BILLING = {
  email: 'billing@faultline.local',
  password: 'a billing passphrase, long enough',
  role: 'billing',
} as const;

/**
 * The issue list and the issue page in Chromium against a real `faultline start --bootstrap`
 * (on Postgres: `faultline createuser` adds people while the server runs), fed by the real
 * @sentry/browser SDK running in the same browser.
 */
describe('web UI: issues, from a browser error to resolving it', function () {
  this.timeout(120_000);
  const chromium = useChromium();
  let run: FirstRun;
  let api: TokenCaller;
  let shop: BrowserSdkPage;
  let page: Page;
  let issueId: string;

  before(async function () {
    this.timeout(180_000);
    if (!(await isPostgresReachable())) {
      if (process.env.CI === 'true') throw new Error('CI needs Postgres for the web issues tests');
      this.skip();
    }
    if (!fs.existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html')))
      throw new Error('web/dist is not built: run `npm run build` (npm test does it)');
    // The ticketer test plugin offers one issue action ("File ticket", input: a title).
    run = await startFirstRun('postgres', {
      PLUGINS: path.join(REPO_ROOT, 'test', 'support', 'plugins', 'ticketer'),
    });
    api = new TokenCaller(run.url, printedToken(run.server));
    await setAdminPassword(run, PASSWORD);
    shop = await BrowserSdkPage.start();
    page = await chromium.newPage();
    await page.goto(`${run.url}/organizations/faultline/issues/`);
    await submitPassword(page, ADMIN_EMAIL, PASSWORD);
    await page.getByText('No issues match.').waitFor();
  });
  after(async () => {
    await shop?.stop();
    await run?.server.stop();
    await run?.target.dispose();
  });

  it('an error thrown under @sentry/browser appears in the already-open list, with its sparkline and counts', async () => {
    const checkout = await chromium.newPage();
    await checkout.goto(shop.url(printedDsn(run.server)));
    await checkout.locator('body[data-ready="yes"]').waitFor();
    await checkout.getByRole('button', { name: 'Pay' }).click();

    // No reload: the change stream brings the row into the list opened before the error.
    const row = page.getByRole('row').filter({ hasText: BROWSER_THROWN_TITLE });
    await row.waitFor({ timeout: 30_000 });
    await checkout.close();
    const text = await row.innerText();
    assert.match(text, /error/i);
    assert.match(text, /Unassigned/);
    assert.ok(await row.getByRole('img', { name: /1 events in the last 24h/ }).isVisible(), text);
    await chromium.screenshot(page, 'issues-browser-error');
  });

  it('opens the issue: the stack trace shows the throwing function, with the user, breadcrumbs, request and contexts', async () => {
    await page.getByRole('link', { name: BROWSER_THROWN_TITLE }).click();
    await page.getByRole('heading', { level: 1, name: BROWSER_THROWN_TITLE }).waitFor();
    issueId = /\/issues\/(\d+)\//.exec(page.url())![1];
    const frames = page.locator('.frame.in-app');
    await frames.first().waitFor();
    assert.match(await frames.first().innerText(), /chargeCard/);
    assert.match(await page.locator('.frames').first().innerText(), /onPayClick/);
    const user = page.getByRole('region', { name: 'User', exact: true });
    assert.match(await user.innerText(), /buyer@example\.com/);
    assert.match(
      await page.getByRole('region', { name: 'Breadcrumbs', exact: true }).innerText(),
      /pay clicked/,
    );
    // What the browser SDK sends: the page's request (with the User-Agent) and the culture context.
    assert.match(
      await page.getByRole('region', { name: 'Request', exact: true }).innerText(),
      /checkout\.html[\s\S]*Chrom/,
    );
    assert.match(await page.getByRole('region', { name: 'Contexts', exact: true }).innerText(), /locale/);
    // @sentry/browser sends no browser or OS context: the server reads them from the User-Agent.
    assert.match(await page.getByLabel('Context browser', { exact: true }).innerText(), /name\s+Chrom/);
    assert.match(await page.getByLabel('Context os', { exact: true }).innerText(), /name\s+Linux/);
    // Tag distributions with shares: one event, so every value is 100%.
    const environment = page.getByRole('region', { name: 'Tag environment', exact: true });
    await environment.waitFor();
    assert.match(await environment.innerText(), /production\s+100%/);
    await chromium.screenshot(page, 'issue-browser-error');

    // The event has its own address, which opens the same event.
    const eventId = (await page.locator('.event-nav .short-id').innerText()).trim();
    await page.getByRole('link', { name: eventId.slice(0, 8) }).click();
    await page.getByRole('heading', { level: 2, name: 'Event', exact: true }).waitFor();
    assert.equal(
      new URL(page.url()).pathname,
      `/organizations/faultline/issues/${issueId}/events/${eventId}/`,
    );
    // The checkout page's own uncaught error is the point of it; Faultline's pages have none.
    const ours = chromium.problems.filter((problem) => problem.startsWith(run.url));
    assert.deepEqual(ours, [], 'no console errors (a CSP violation would be one)');
  });

  it('comments: adds one, edits and deletes it', async () => {
    await page.getByLabel('Add a comment').fill('Card processor returns 402 since the deploy');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const comment = page.locator('.comment').filter({ hasText: 'Card processor returns 402' });
    await comment.waitFor();
    await comment.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit comment').fill('Card processor returns 402 since 1.4.0');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.comment').filter({ hasText: 'since 1.4.0' }).waitFor();
    // The activity shows the comment as it reads now.
    await page
      .locator('.activity li')
      .filter({ hasText: `${ADMIN_EMAIL} commented: “Card processor returns 402 since 1.4.0” via web` })
      .waitFor();
    const [note] = await api.get<{ data: { text: string } }[]>(`/issues/${issueId}/comments/`);
    assert.equal(note.data.text, 'Card processor returns 402 since 1.4.0');
    await page.locator('.comment').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No comments yet.').waitFor();
  });

  it("runs a plugin's issue action from the form made of its JSON Schema; its refusal is shown in words", async () => {
    await page.getByRole('button', { name: 'File ticket' }).click();
    const form = page.getByRole('group', { name: 'File ticket' });
    await form.getByLabel('Title').fill('refuse me');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.getByRole('alert').filter({ hasText: 'Tickets are closed today' }).waitFor();
    await form.getByLabel('Title').fill('Checkout declines cards');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.getByRole('status').filter({ hasText: 'Filed "Checkout declines cards" for' }).waitFor();
    await chromium.screenshot(page, 'issue-plugin-action');
    // Run as the signed-in person: the plugin's comment is theirs, and the activity says so.
    await page.locator('.comment').filter({ hasText: 'Ticket: Checkout declines cards' }).waitFor();
    await page
      .locator('.activity li')
      .filter({ hasText: `${ADMIN_EMAIL} ran ticketer's file-ticket (done) via web` })
      .waitFor();
    await page
      .locator('.comment')
      .filter({ hasText: 'Ticket:' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('No comments yet.').waitFor();
  });

  it('resolves it: the API says resolved and the change stream recorded surface web', async () => {
    const stream = openChangeStream({
      baseUrl: run.url,
      token: printedToken(run.server),
      organization: 'faultline',
    });
    const seen: ChangeEvent[] = [];
    const reading = (async () => {
      for await (const change of stream) {
        seen.push(change);
        if (change.kind === 'state_changed' && change.issueId === issueId) return change;
      }
      return undefined;
    })();
    await new Promise((r) => setTimeout(r, 500)); // the stream starts at its current end
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('button', { name: 'Unresolve' }).waitFor();
    assert.equal((await api.get<{ status: string }>(`/issues/${issueId}/`)).status, 'resolved');
    const change = await Promise.race([
      reading,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
    ]);
    stream.close();
    assert.ok(change, `no state change of the issue on the stream; saw ${JSON.stringify(seen)}`);
    assert.equal(change.surface, 'web', JSON.stringify(change));
    // The page's activity says who did it and through which surface.
    await page
      .locator('.activity li')
      .filter({ hasText: `${ADMIN_EMAIL} resolved the issue via web` })
      .waitFor();
  });

  it('a new error of the resolved issue reopens it, and the activity says it regressed', async () => {
    const checkout = await chromium.newPage();
    await checkout.goto(shop.url(printedDsn(run.server)));
    await checkout.locator('body[data-ready="yes"]').waitFor();
    await checkout.getByRole('button', { name: 'Pay' }).click();
    // Live: the open issue page follows the change stream.
    await page
      .locator('.activity li')
      .filter({ hasText: 'Faultline marked the issue as a regression' })
      .waitFor({ timeout: 30_000 });
    await checkout.close();
    await page.locator('.activity li').filter({ hasText: 'Faultline first saw this issue' }).waitFor();
    await chromium.screenshot(page, 'issue-activity');
    // The bulk test below starts from the resolved issue.
    await api.expect(200, 'PUT', `/issues/${issueId}/`, { body: { status: 'resolved' } });
  });

  it('bulk: selected rows are unresolved and assigned in one go from the list', async () => {
    await page.goto(`${run.url}/organizations/faultline/issues/?status=resolved`);
    const row = page.getByRole('row').filter({ hasText: BROWSER_THROWN_TITLE });
    await row.getByRole('checkbox').check();
    await page
      .getByRole('toolbar', { name: 'Selected issues' })
      .getByRole('button', { name: 'Unresolve' })
      .click();
    await page.getByText('No issues match.').waitFor();
    await page.getByRole('link', { name: 'Unresolved', exact: true }).click();
    await row.getByRole('checkbox').check();
    await page
      .getByRole('toolbar', { name: 'Selected issues' })
      .getByLabel('Assign to')
      .selectOption({ label: ADMIN_EMAIL });
    await row.filter({ hasText: ADMIN_EMAIL }).waitFor();
    const issue = await api.get<{ status: string; assignedTo: { email: string } | null }>(
      `/issues/${issueId}/`,
    );
    assert.equal(issue.status, 'unresolved');
    assert.equal(issue.assignedTo?.email, ADMIN_EMAIL);
  });

  it('shows an API 500 in words instead of a blank page', async () => {
    await page.route('**/api/0/issues/*/tags/**', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ detail: 'The tag store is on fire', code: 'internal' }),
      }),
    );
    try {
      await page.goto(`${run.url}/organizations/faultline/issues/${issueId}/`);
      const error = page.getByRole('complementary', { name: 'Tags' }).getByRole('alert');
      await error.waitFor();
      assert.match(await error.innerText(), /The tag store is on fire/);
      // The rest of the page is there.
      await page.locator('.frame.in-app').first().waitFor();
      await chromium.screenshot(page, 'issue-api-error');
    } finally {
      await page.unroute('**/api/0/issues/*/tags/**');
    }
  });

  it("a member triages but is offered no one else's comment to change; who can't see the project gets the 404 page", async () => {
    await api.expect(201, 'POST', `/issues/${issueId}/comments/`, { body: { text: "the admin's note" } });
    await createPerson(run.target.cliArgs, { ...MEMBER, org: 'faultline' });
    const members = await api.get<{ id: string; email: string }[]>('/organizations/faultline/members/');
    const member = members.find((m) => m.email === MEMBER.email)!;
    await api.expect(201, 'POST', `/organizations/faultline/members/${member.id}/teams/engineering/`, {
      body: {},
    });
    await createPerson(run.target.cliArgs, { ...BILLING, org: 'faultline' });

    // The same browser signs in as the member (the admin's session is not needed any more).
    await chromium.clearCookies();
    await page.goto(`${run.url}/organizations/faultline/issues/${issueId}/`);
    await submitPassword(page, MEMBER.email, MEMBER.password);
    await page.getByRole('heading', { level: 1, name: BROWSER_THROWN_TITLE }).waitFor();
    const note = page.locator('.comment').filter({ hasText: "the admin's note" });
    await note.waitFor();
    assert.equal(await note.getByRole('button').count(), 0, 'no Edit or Delete on the admin comment');
    await chromium.screenshot(page, 'issue-member');

    await chromium.clearCookies();
    await page.goto(`${run.url}/organizations/faultline/issues/${issueId}/`);
    await submitPassword(page, BILLING.email, BILLING.password);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Resolve' }).count(), 0);
  });
});
