import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { useChromium } from './support/chromium';
import type { TokenCaller } from './support/session';
import type { Stack } from './support/stack';
import { signInOnWebPage, startWebStackWithTeam } from './support/web-session';

const OWNER = { email: 'owner@example.com', password: 'an owner passphrase that is long', role: 'owner' };
const MEMBER = { email: 'member@example.com', password: 'a member passphrase that is long', role: 'member' };
const HOOK_A = 'https://hooks.example.com/a';
const HOOK_B = 'https://hooks.example.com/b';
const RULE_HOOK = 'https://hooks.example.com/rule';

interface Rule {
  id: string;
  name: string;
  conditions: Record<string, unknown>[];
  filters: Record<string, unknown>[];
  actions: { plugin: string; config: Record<string, unknown> }[];
}

/**
 * The forms generated from the API's JSON Schemas, in Chromium against a real `faultline start`: a
 * plugin's list field (the webhooks' URLs) set through the typed form, and an alert rule created,
 * refused in words, edited and deleted, each checked through the API; a member is offered none of it.
 */
describe('web UI: typed plugin config and the alert rule editor in Chromium', function () {
  this.timeout(120_000);
  const chromium = useChromium();
  let stack: Stack;
  let api: TokenCaller;
  let page: Page;
  let settingsPath = '';
  let apiPath = '';

  before(async function () {
    this.timeout(180_000);
    ({ stack, api } = await startWebStackWithTeam([OWNER, MEMBER]));
    const org = stack.setup.organization;
    settingsPath = `/settings/${org}/projects/${stack.setup.project}`;
    apiPath = `/projects/${org}/${stack.setup.project}`;
    page = await chromium.newPage();
    await signInOnWebPage(page, stack.baseUrl, `${settingsPath}/plugins/`, OWNER.email, OWNER.password);
  });
  after(async () => {
    await stack?.dispose();
  });

  const card = (name: string) => page.getByRole('article', { name });
  const rules = () => api.get<Rule[]>(`${apiPath}/rules/`);

  it("sets the webhooks plugin's URLs, a list, through its typed form, then turns it on", async () => {
    const webhooks = card('webhooks');
    const urls = webhooks.getByRole('group', { name: 'Urls' });
    await urls.getByRole('button', { name: 'Add to Urls' }).click();
    await urls.getByLabel('Urls 1').fill(HOOK_A);
    await urls.getByRole('button', { name: 'Add to Urls' }).click();
    await urls.getByLabel('Urls 2').fill(HOOK_B);
    await webhooks.getByLabel('Secret').fill('a webhook signing secret');
    await webhooks.getByRole('button', { name: 'Save webhooks settings' }).click();
    await webhooks.getByText('Set (hidden). Leave empty to keep it.').waitFor();
    // Its config is now whole, so it may be turned on.
    await webhooks.getByRole('button', { name: 'Turn webhooks on' }).click();
    await webhooks.getByRole('button', { name: 'Turn webhooks off' }).waitFor();
    const saved = await api.get<{ enabled: boolean; overrides: Record<string, unknown> }>(
      `${apiPath}/plugins/webhooks/`,
    );
    assert.equal(saved.enabled, true);
    assert.deepEqual(saved.overrides, { urls: [HOOK_A, HOOK_B], secret: { set: true } });

    // Read back after a reload: the list holds both, and one removed is gone from the API too.
    await page.reload();
    const reloaded = card('webhooks').getByRole('group', { name: 'Urls' });
    assert.equal(await reloaded.getByLabel('Urls 2').inputValue(), HOOK_B);
    await reloaded.getByRole('button', { name: 'Remove Urls 1' }).click();
    await card('webhooks').getByRole('button', { name: 'Save webhooks settings' }).click();
    await card('webhooks').getByRole('status').waitFor();
    const after = await api.get<{ overrides: Record<string, unknown> }>(`${apiPath}/plugins/webhooks/`);
    assert.deepEqual(after.overrides.urls, [HOOK_B]);
    await chromium.screenshot(page, 'project-plugins-typed');
    assert.deepEqual(chromium.problems, [], 'no console errors');
  });

  it('creates a rule with a trigger, a filter and a webhooks action; the refusal of a bad URL is shown in words', async () => {
    await page.getByRole('link', { name: 'Alert rules' }).click();
    await page.getByRole('button', { name: 'New alert rule' }).click();
    const form = page.getByRole('form', { name: 'New alert rule' });
    await form.getByLabel('Name').fill('Busy issues to hooks');

    const trigger = form.getByRole('group', { name: 'Trigger 1' });
    await trigger.getByLabel('Kind').selectOption({ label: 'An issue is seen more than a number of times' });
    await trigger.getByLabel('More than (events)').fill('50');
    await trigger.getByLabel('Within (minutes)').selectOption('5');

    await form.getByRole('button', { name: 'Add a filter' }).click();
    const filter = form.getByRole('group', { name: 'Filter 1' });
    await filter.getByLabel('Kind').selectOption({ label: "The issue's level" });
    await filter.getByLabel('Comparison').selectOption('gte');
    // A select's name also holds its options' text: "Kind" names one beginning with "The issue's level".
    await filter.getByRole('combobox', { name: /^Level/ }).selectOption('error');

    const action = form.getByRole('group', { name: 'Action 1' });
    await action.getByLabel('Kind').selectOption('webhooks');
    await action.getByRole('button', { name: 'Add to Urls' }).click();
    await action.getByLabel('Urls 1').fill('not a url');
    await form.getByRole('button', { name: 'Create rule' }).click();
    // The API's refusal, in its words, and the form kept as typed.
    await form.getByRole('alert').filter({ hasText: 'actions[0] (plugin "webhooks")' }).waitFor();
    assert.deepEqual(await rules(), []);

    await action.getByLabel('Urls 1').fill(RULE_HOOK);
    await form.getByRole('button', { name: 'Create rule' }).click();
    const rule = card('Busy issues to hooks');
    await rule.getByText('An issue is seen more than 50 times in 5 minutes').waitFor();
    await rule.getByText('The level is at least error').waitFor();
    await rule.getByText(/notify through webhooks/).waitFor();
    const [saved] = await rules();
    assert.deepEqual(saved.conditions, [{ id: 'event_frequency', value: 50, interval: 5 }]);
    assert.deepEqual(saved.filters, [{ id: 'level', match: 'gte', level: 'error' }]);
    assert.deepEqual(saved.actions, [{ plugin: 'webhooks', config: { urls: [RULE_HOOK] } }]);
    await chromium.screenshot(page, 'alert-rule-created');
  });

  it('edits the rule: its form filled from the rule, the change in the API', async () => {
    const rule = card('Busy issues to hooks');
    await rule.getByRole('button', { name: 'Edit Busy issues to hooks' }).click();
    const form = page.getByRole('form', { name: 'Edit Busy issues to hooks' });
    const trigger = form.getByRole('group', { name: 'Trigger 1' });
    assert.equal(await trigger.getByLabel('More than (events)').inputValue(), '50');
    await trigger.getByLabel('More than (events)').fill('75');
    await form.getByRole('button', { name: 'Add a trigger' }).click();
    await form.getByRole('group', { name: 'Trigger 2' }).getByLabel('Kind').selectOption('issue.created');
    await form
      .getByRole('group', { name: 'Filter 1' })
      .getByRole('button', { name: 'Remove filter 1' })
      .click();
    await chromium.screenshot(page, 'alert-rule-editor');
    await form.getByRole('button', { name: 'Save rule' }).click();
    await card('Busy issues to hooks')
      .getByText('An issue is seen more than 75 times in 5 minutes')
      .waitFor();
    const [saved] = await rules();
    assert.deepEqual(saved.conditions, [
      { id: 'event_frequency', value: 75, interval: 5 },
      { id: 'issue.created' },
    ]);
    assert.deepEqual(saved.filters, []);
    assert.deepEqual(
      saved.actions,
      [{ plugin: 'webhooks', config: { urls: [RULE_HOOK] } }],
      'kept as it was',
    );
    assert.deepEqual(chromium.problems, [], 'no console errors');
  });

  it('deletes the rule after a second click', async () => {
    const rule = card('Busy issues to hooks');
    await rule.getByRole('button', { name: 'Delete Busy issues to hooks', exact: true }).click();
    await rule.getByRole('button', { name: 'Delete Busy issues to hooks and its history' }).click();
    await page.getByText('This project has no alert rules.').waitFor();
    assert.deepEqual(await rules(), []);
  });

  it('offers a member no rule editing and no plugin fields', async () => {
    await api.expect(201, 'POST', `${apiPath}/rules/`, {
      body: {
        name: 'Made by the API',
        conditions: [{ id: 'issue.created' }],
        actions: [{ plugin: 'webhooks' }],
      },
    });
    await chromium.clearCookies();
    await signInOnWebPage(page, stack.baseUrl, `${settingsPath}/alert-rules/`, MEMBER.email, MEMBER.password);
    await card('Made by the API').getByText('A new issue is created').waitFor();
    const offered: Locator = page.getByRole('button', {
      name: /^(New alert rule|Edit |Delete |Disable |Enable )/,
    });
    assert.equal(await offered.count(), 0);
    await page.goto(`${stack.baseUrl}${settingsPath}/plugins/`);
    await card('webhooks').getByText(HOOK_B).waitFor();
    assert.equal(await page.locator('input, textarea, select').count(), 0, 'a member is offered no field');
  });
});
