import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { useChromium } from './support/chromium';
import { TokenCaller } from './support/session';
import type { Stack } from './support/stack';
import { waitFor } from './support/api';
import { signInOnWebPage, startWebStackWithTeam } from './support/web-session';

const OWNER = { email: 'owner@example.com', password: 'an owner passphrase that is long', role: 'owner' };
/** A Slack bot token as the plugin's schema accepts it; it must never reach a page. */
const BOT_TOKEN = 'xoxb-1234-webplugintestsecret';
const MEMBER = { email: 'member@example.com', password: 'a member passphrase that is long', role: 'member' };

interface ApiKey {
  id: string;
  name: string;
  isActive: boolean;
  rateLimit: { count: number; window: number } | null;
  dsn: { public: string };
}

/** The settings pages in Chromium against a real `faultline start`: an owner, and a member who may change nothing. */
describe('web UI settings in Chromium', function () {
  this.timeout(120_000);
  const chromium = useChromium();
  let stack: Stack;
  let api: TokenCaller;
  let page: Page;
  let keysPath = '';
  let pluginsPath = '';

  before(async function () {
    this.timeout(180_000);
    ({ stack, api } = await startWebStackWithTeam([OWNER, MEMBER]));
    keysPath = `/settings/${stack.setup.organization}/projects/${stack.setup.project}/keys/`;
    pluginsPath = `/settings/${stack.setup.organization}/projects/${stack.setup.project}/plugins/`;
    await chromium.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.baseUrl });
    page = await chromium.newPage();
  });
  after(async () => {
    await stack?.dispose();
  });

  const keys = () => api.get<ApiKey[]>(`/projects/${stack.setup.organization}/${stack.setup.project}/keys/`);
  /** What the page copied (the test has no DOM types: the expression runs in the page). */
  const clipboard = () => page.evaluate<string>('navigator.clipboard.readText()');
  const card = (name: string) => page.getByRole('article', { name });

  it('an owner reaches the project keys from Settings and copies the DSN and a setup snippet', async () => {
    await signInOnWebPage(page, stack.baseUrl, '/', OWNER.email, OWNER.password);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await chromium.screenshot(page, 'settings');
    await page
      .getByRole('link', { name: /client keys/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Client keys (DSN)' }).waitFor();
    assert.equal(new URL(page.url()).pathname, keysPath);

    const [key] = await keys();
    const defaultKey = card(key.name);
    await defaultKey.getByRole('button', { name: `Copy the DSN of ${key.name}` }).click();
    await defaultKey.getByText('Copied.').waitFor();
    assert.equal(await clipboard(), key.dsn.public);

    await defaultKey.getByText('Set up an SDK with this key').click();
    await defaultKey.getByLabel('SDK').selectOption({ label: 'Python' });
    const code = defaultKey.locator('pre code').nth(1);
    assert.match(await code.innerText(), /sentry_sdk\.init\(/);
    assert.ok((await code.innerText()).includes(key.dsn.public));
    await defaultKey.getByRole('button', { name: 'Copy the Python setup code' }).click();
    assert.match(await clipboard(), /dsn="http:\/\//);
    await chromium.screenshot(page, 'project-keys');
    assert.deepEqual(chromium.problems, [], 'no console errors (a CSP violation would be one)');
  });

  it('creates a key, disables it, sets its rate limit and rotates it', async () => {
    await page.getByLabel("New key's name").fill('Staging');
    await page.getByRole('button', { name: 'Create key' }).click();
    const staging = card('Staging').first();
    await staging.waitFor();
    await staging.getByRole('button', { name: 'Disable' }).click();
    await staging.getByText('Disabled', { exact: true }).waitFor();
    assert.equal((await keys()).find((k) => k.name === 'Staging')?.isActive, false);
    await staging.getByRole('button', { name: 'Enable' }).click();
    await staging.getByText('Active', { exact: true }).waitFor();

    await staging.getByLabel('Events').fill('120');
    await staging.getByLabel('per seconds').fill('60');
    await staging.getByRole('button', { name: 'Set rate limit' }).click();
    await staging.getByText('At most 120 events per 60 seconds.').waitFor();
    assert.deepEqual((await keys()).find((k) => k.name === 'Staging')?.rateLimit, { count: 120, window: 60 });

    const before = (await keys()).find((k) => k.name === 'Staging')!;
    await staging.getByRole('button', { name: 'Rotate…' }).click();
    await staging.getByRole('button', { name: 'Rotate now' }).click();
    await page.getByRole('article', { name: 'Staging' }).nth(1).waitFor();
    const after = (await keys()).filter((k) => k.name === 'Staging');
    assert.equal(after.length, 2);
    assert.equal(after.find((k) => k.id === before.id)?.isActive, false, 'the old key is disabled');
    const fresh = after.find((k) => k.id !== before.id)!;
    assert.equal(fresh.isActive, true);
    assert.deepEqual(fresh.rateLimit, { count: 120, window: 60 }, 'the new key keeps the rate limit');
  });

  it('a project that does not exist (or may not be seen) is the not-found page', async () => {
    await page.goto(`${stack.baseUrl}/settings/${stack.setup.organization}/projects/no-such-project/keys/`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
  });

  it('creates an API token, shows it once, and revokes it', async () => {
    await page.goto(`${stack.baseUrl}/settings/`);
    await page.getByRole('link', { name: 'Your API tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByLabel('Token name').fill('Release script');
    await page.getByRole('checkbox', { name: 'project:write' }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('status', { name: 'New token' });
    await shown.waitFor();
    const token = await shown.getByLabel('Token', { exact: true }).inputValue();
    await shown.getByRole('button', { name: 'Copy the new token' }).click();
    assert.equal(await clipboard(), token);
    await chromium.screenshot(page, 'account-api-tokens-new');
    const asOwner = new TokenCaller(stack.baseUrl, token);
    const me = await asOwner.get<{ email: string }>('/users/me/');
    assert.equal(me.email, OWNER.email);
    const [made] = (await asOwner.get<{ name: string; scopes: string[] }[]>('/api-tokens/')).filter(
      (t) => t.name === 'Release script',
    );
    assert.ok(made.scopes.includes('project:write') && made.scopes.includes('org:read'), made.scopes.join());

    // Once the person is done with it, the token is shown nowhere again.
    await shown.getByRole('button', { name: 'Done' }).click();
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: 'Release script' });
    await row.waitFor();
    assert.equal(await page.getByText(token).count(), 0);
    assert.ok((await page.content()).indexOf(token) === -1, 'the token is not in the page');
    assert.ok((await row.innerText()).includes(token.slice(-4)), 'the row shows its last characters');
    await chromium.screenshot(page, 'account-api-tokens');
    await row.getByRole('button', { name: 'Revoke Release script' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await asOwner.request('GET', '/users/me/')).status, 401, 'a revoked token is refused');
  });

  it('creates an organization service token, shown once, and revokes it', async () => {
    const org = stack.setup.organization;
    await page.goto(`${stack.baseUrl}/settings/${org}/`);
    await page.getByRole('link', { name: 'Service tokens' }).click();
    await page.getByRole('heading', { name: 'Service tokens' }).waitFor();
    await page.getByLabel('Token name').fill('CI');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('status', { name: 'New token' });
    const token = await shown.getByLabel('Token', { exact: true }).inputValue();
    const service = new TokenCaller(stack.baseUrl, token);
    const projects = await service.get<{ slug: string }[]>(`/organizations/${org}/projects/`);
    assert.ok(projects.some((p) => p.slug === stack.setup.project));
    await chromium.screenshot(page, 'organization-service-tokens');
    await shown.getByRole('button', { name: 'Done' }).click();
    // Waited for, not counted at once: the click's re-render may not have happened yet.
    await page.getByRole('status', { name: 'New token' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Revoke CI' }).click();
    await page.getByRole('row').filter({ hasText: 'CI' }).waitFor({ state: 'detached' });
    assert.equal(
      (await service.request('GET', `/organizations/${org}/projects/`)).status,
      401,
      'a revoked token is refused',
    );
  });

  it('an owner turns a plugin on and sets its config; the secret reads back masked', async () => {
    const org = stack.setup.organization;
    const pluginPath = (id: string) => `/projects/${org}/${stack.setup.project}/plugins/${id}/`;
    await page.goto(`${stack.baseUrl}${keysPath}`);
    await page.getByRole('link', { name: 'Plugins' }).click();
    await page.getByRole('heading', { name: 'Plugins', level: 2 }).waitFor();
    assert.equal(new URL(page.url()).pathname, pluginsPath);

    const slack = card('slack');
    await slack.getByRole('button', { name: 'Turn slack on' }).click();
    await slack.getByRole('button', { name: 'Turn slack off' }).waitFor();
    await slack.getByLabel('Bot token').fill(BOT_TOKEN);
    await slack.getByRole('button', { name: 'Save slack settings' }).click();
    await slack.getByText('Set (hidden). Leave empty to keep it.').waitFor();
    const saved = await api.get<{
      enabled: boolean;
      enabledSetting: boolean;
      config: Record<string, unknown>;
    }>(pluginPath('slack'));
    assert.equal(saved.enabledSetting, true);
    assert.deepEqual(saved.config.botToken, { set: true });

    const email = card('email');
    await email.getByLabel('From').fill('Shop alerts <shop@faultline.test>');
    await email.getByRole('button', { name: 'Save email settings' }).click();
    await email.getByRole('status').waitFor();
    const mail = await api.get<{ overrides: Record<string, unknown> }>(pluginPath('email'));
    assert.equal(mail.overrides.from, 'Shop alerts <shop@faultline.test>');

    // Read back after a reload: the plain field holds its value, the secret field stays empty.
    await page.reload();
    await card('email').getByLabel('From').waitFor();
    assert.equal(await card('email').getByLabel('From').inputValue(), 'Shop alerts <shop@faultline.test>');
    assert.equal(await card('slack').getByLabel('Bot token').inputValue(), '');
    assert.ok(!(await page.content()).includes(BOT_TOKEN), 'the secret is not in the page');

    // Saving without typing the secret again keeps it.
    await card('slack').getByRole('button', { name: 'Save slack settings' }).click();
    await card('slack').getByRole('status').waitFor();
    assert.deepEqual((await api.get<typeof saved>(pluginPath('slack'))).config.botToken, { set: true });
    await chromium.screenshot(page, 'project-plugins');
    assert.deepEqual(chromium.problems, [], 'no console errors');
  });

  it("lists the project's alert rules in words, disables one and shows its fires", async () => {
    const rulesPath = `/projects/${stack.setup.organization}/${stack.setup.project}/rules/`;
    // Slack is on for the project (the test before), so a rule may notify through it.
    await api.expect(201, 'POST', rulesPath, {
      body: {
        name: 'Errors to ops',
        conditions: [{ id: 'issue.created' }, { id: 'event_frequency', value: 100, interval: 60 }],
        filters: [{ id: 'level', match: 'gte', level: 'error' }],
        actions: [{ plugin: 'slack', config: { channel: 'C0123ABCD' } }],
      },
    });
    await page.getByRole('link', { name: 'Alert rules' }).click();
    const rule = card('Errors to ops');
    await rule.getByText('A new issue is created').waitFor();
    await rule.getByText('An issue is seen more than 100 times in an hour').waitFor();
    await rule.getByText('The level is at least error').waitFor();
    await rule.getByText(/notify through slack/).waitFor();
    await rule.getByRole('button', { name: 'Disable Errors to ops' }).click();
    await rule.getByRole('button', { name: 'Enable Errors to ops' }).waitFor();
    const [saved] = await api.get<{ status: string }[]>(rulesPath);
    assert.equal(saved.status, 'disabled');
    await rule.getByRole('button', { name: 'Show fires' }).click();
    await rule.getByText('This rule has not fired yet.').waitFor();
    await chromium.screenshot(page, 'project-alert-rules');
    assert.deepEqual(chromium.problems, [], 'no console errors');
  });

  it('a member sees the DSNs but no controls to change keys', async () => {
    await chromium.clearCookies();
    await signInOnWebPage(page, stack.baseUrl, keysPath, MEMBER.email, MEMBER.password);
    await page.getByRole('heading', { name: 'Client keys (DSN)' }).waitFor();
    const [key] = await keys();
    await card(key.name)
      .getByRole('button', { name: `Copy the DSN of ${key.name}` })
      .waitFor();
    for (const name of ['Create key', 'Disable', 'Enable', 'Rotate…', 'Set rate limit'])
      assert.equal(await page.getByRole('button', { name }).count(), 0, `a member is offered "${name}"`);
    assert.equal(await page.getByLabel("New key's name").count(), 0);

    // The organization's settings: the role, and no tab the role can't use.
    await page.goto(`${stack.baseUrl}/settings/${stack.setup.organization}/`);
    await page.getByText('Your role here: member').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Service tokens' }).count(), 0);
    await chromium.screenshot(page, 'organization-member');
    await page.goto(`${stack.baseUrl}/settings/${stack.setup.organization}/auth-tokens/`);
    await page.getByText('Only owners and managers').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create token' }).count(), 0);
    await chromium.screenshot(page, 'project-keys-member');

    // Plugins: their state and config shown, a secret only as set, and no control to change them.
    await page.goto(`${stack.baseUrl}${pluginsPath}`);
    await card('slack').getByText('set (hidden)').waitFor();
    assert.equal(
      await page
        .getByRole('button')
        .filter({ hasText: /^Turn |^Save |^Follow / })
        .count(),
      0,
    );
    assert.equal(await page.locator('input, textarea, select').count(), 0, 'a member is offered no field');
    assert.ok(!(await page.content()).includes(BOT_TOKEN));
    await chromium.screenshot(page, 'project-plugins-member');
    await page.getByRole('link', { name: 'Alert rules' }).click();
    await card('Errors to ops').getByText('A new issue is created').waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Disable|Enable) / }).count(), 0);
  });

  it('a member sees the members and their roles, but no control to change them', async () => {
    await page.goto(`${stack.baseUrl}/settings/${stack.setup.organization}/`);
    await page.getByRole('link', { name: 'Members' }).click();
    const table = page.getByRole('table', { name: 'Members' });
    await table
      .getByRole('row')
      .filter({ hasText: OWNER.email })
      .getByText('Owner', { exact: true })
      .waitFor();
    assert.equal(await page.getByRole('combobox').count(), 0, 'no role select');
    assert.equal(await page.getByRole('button', { name: /^Remove / }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Invite' }).count(), 0);
  });

  it('an owner invites someone (link shown once), revokes it, changes a role and removes a member', async () => {
    const org = stack.setup.organization;
    await chromium.clearCookies();
    await signInOnWebPage(page, stack.baseUrl, `/settings/${org}/members/`, OWNER.email, OWNER.password);
    const invitation = page.getByRole('form', { name: 'Invite someone' });
    await invitation.getByLabel('Email').fill('newcomer@example.com');
    await invitation.getByLabel('Role').selectOption('admin');
    await invitation.getByRole('button', { name: 'Invite' }).click();
    const link = await invitation.getByLabel('Invitation link', { exact: true }).innerText();
    assert.match(link, /\/accept\/\d+\/\S+\/$/);
    const pending = page.getByRole('list', { name: 'Pending invitations' });
    await pending.getByText('newcomer@example.com').waitFor();
    assert.deepEqual(
      (await api.get<{ email: string; orgRole: string }[]>(`/organizations/${org}/invited-members/`)).map(
        (i) => [i.email, i.orgRole],
      ),
      [['newcomer@example.com', 'admin']],
    );
    await chromium.screenshot(page, 'organization-members');
    await pending.getByRole('button', { name: 'Revoke the invitation of newcomer@example.com' }).click();
    await page.getByText('No pending invitations.').waitFor();

    const roleOf = async (email: string) =>
      (await api.get<{ email: string; orgRole: string }[]>(`/organizations/${org}/members/`)).find(
        (m) => m.email === email,
      )?.orgRole;
    await page.getByLabel(`Role of ${MEMBER.email}`).selectOption('admin');
    await waitFor('the new role', async () => ((await roleOf(MEMBER.email)) === 'admin' ? true : undefined));
    await page.getByRole('button', { name: `Remove ${MEMBER.email}` }).click();
    await page.getByRole('row').filter({ hasText: MEMBER.email }).waitFor({ state: 'detached' });
    assert.equal(await roleOf(MEMBER.email), undefined);
  });
});
