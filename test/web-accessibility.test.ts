import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { reportIssue } from './support/stack';
import { signInOnWebPage, useWebStack } from './support/web-session';

const OWNER = { email: 'owner@example.com', password: 'an owner passphrase that is long', role: 'owner' };
/** A phone's viewport (CSS pixels), the narrowest the issue asks the UI to work at. */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** What axe found, one line per rule and element, so a failure names what to fix. */
async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  // A page axe could not read (nothing rendered, a frame it can't enter) would pass vacuously: make
  // sure the contrast rule really looked at text.
  const looked = [...results.passes, ...results.violations, ...results.incomplete];
  assert.ok(
    looked.some((rule) => rule.id === 'color-contrast' && rule.nodes.length > 0),
    `axe checked no text's contrast on ${page.url()}`,
  );
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')} — ${node.failureSummary ?? ''}`),
  );
}

/**
 * What the issue asks of every page beyond its content: keyboard navigable with visible focus,
 * labelled controls, WCAG AA contrast in light and dark mode, usable down to a phone's width —
 * checked with axe-core (Deque's rules engine) in Chromium against a real `faultline start`.
 */
describe('web UI accessibility in Chromium', function () {
  this.timeout(180_000);
  const web = useWebStack([OWNER]);
  let issueId: string;

  before(async function () {
    this.timeout(180_000);
    issueId = await reportIssue(web.stack, {
      message: 'Checkout failed for order 77',
      fields: {
        tags: { region: 'eu-west-1' },
        user: { id: '42', email: 'ada@example.com' },
        request: { url: 'https://shop.example.com/checkout', method: 'POST' },
      },
    });
    await signInOnWebPage(web.page, web.stack.baseUrl, '/', OWNER.email, OWNER.password);
  });

  /** The pages people spend their time on, each with what shows it has loaded. */
  const mainPages = () => {
    const { organization: org, project } = web.stack.setup;
    return [
      {
        name: 'issues',
        path: `/organizations/${org}/issues/`,
        ready: () => web.page.locator('.issue-table tbody tr').first(),
      },
      {
        name: 'issue',
        path: `/organizations/${org}/issues/${issueId}/`,
        ready: () => web.page.getByRole('heading', { name: /Checkout failed/ }),
      },
      {
        name: 'project-keys',
        path: `/settings/${org}/projects/${project}/keys/`,
        ready: () => web.page.getByRole('article').first(),
      },
      {
        name: 'alert-rules',
        path: `/settings/${org}/projects/${project}/alert-rules/`,
        ready: () => web.page.getByRole('heading', { name: /Alert rules/ }),
      },
      {
        name: 'members',
        path: `/settings/${org}/members/`,
        ready: () => web.page.getByText(OWNER.email).first(),
      },
      {
        name: 'account-security',
        path: '/settings/account/security/',
        ready: () => web.page.getByRole('heading', { name: /Two-factor/i }).first(),
      },
    ];
  };

  const open = async (entry: ReturnType<typeof mainPages>[number]) => {
    await web.page.goto(`${web.stack.baseUrl}${entry.path}`);
    await entry.ready().waitFor();
  };

  for (const scheme of ['light', 'dark'] as const) {
    it(`every main page passes axe's WCAG 2.1 A and AA rules in ${scheme} mode (contrast, labels, names)`, async () => {
      await web.page.emulateMedia({ colorScheme: scheme });
      const found: string[] = [];
      for (const entry of mainPages()) {
        await open(entry);
        found.push(...(await axeViolations(web.page)).map((line) => `${entry.name}: ${line}`));
        await web.chromium.screenshot(web.page, `a11y-${entry.name}-${scheme}`);
      }
      await web.page.emulateMedia({ colorScheme: 'light' });
      assert.deepEqual(found, []);
    });
  }

  it('at a phone’s width the issue list and the issue page need no sideways scrolling', async () => {
    await web.page.setViewportSize(PHONE);
    try {
      for (const entry of mainPages().slice(0, 2)) {
        await open(entry);
        // The test has no DOM types: the expression runs in the page.
        const overflow = await web.page.evaluate<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        await web.chromium.screenshot(web.page, `phone-${entry.name}`);
        assert.ok(overflow <= 0, `${entry.name} is ${overflow} px wider than a ${PHONE.width} px screen`);
      }
    } finally {
      await web.page.setViewportSize(DESKTOP);
    }
  });

  it('is keyboard navigable with visible focus: Tab reaches the query bar and the issue, Enter opens it', async () => {
    await web.page.bringToFront();
    await open(mainPages()[0]);
    const focused = () =>
      web.page.evaluate<{
        label: string;
        tag: string;
        href: string;
        outline: string;
        shadow: string;
      }>(`(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {
          label: el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent?.trim() ?? el.textContent?.trim() ?? '',
          tag: el.tagName,
          href: el.getAttribute('href') ?? '',
          outline: style.outlineStyle === 'none' ? 'none' : style.outlineStyle + ' ' + style.outlineWidth,
          shadow: style.boxShadow,
        };
      })()`);
    const visible = (f: { outline: string; shadow: string }) =>
      (f.outline !== 'none' && !f.outline.endsWith(' 0px')) || f.shadow !== 'none';

    let reachedQueryBar = false;
    const seen: string[] = [];
    for (let presses = 0; presses < 60; presses++) {
      await web.page.keyboard.press('Tab');
      const now = await focused();
      // The document itself (before the first control, or between the page and the browser's UI).
      if (now.tag === 'BODY') continue;
      assert.ok(visible(now), `the focused ${now.tag} "${now.label}" shows no focus outline`);
      seen.push(`${now.tag} ${now.label.slice(0, 30)}`);
      if (now.label === 'Search issues') reachedQueryBar = true;
      if (reachedQueryBar && now.href.endsWith(`/issues/${issueId}/`)) {
        await web.chromium.screenshot(web.page, 'keyboard-focus-issue-link');
        await web.page.keyboard.press('Enter');
        await web.page.getByRole('heading', { name: /Checkout failed/ }).waitFor();
        return;
      }
    }
    assert.fail(
      `${reachedQueryBar ? 'Tab never reached the issue’s link' : 'Tab never reached the query bar'}; focus went to: ${seen.join(', ')}`,
    );
  });

  it('the sign-in page passes the same rules, signed out', async () => {
    await web.chromium.clearCookies();
    await web.page.goto(`${web.stack.baseUrl}/auth/login`);
    await web.page.getByLabel('Password').waitFor();
    assert.deepEqual(await axeViolations(web.page), []);
  });
});
