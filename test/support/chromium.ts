import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './cli';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it on a fresh machine). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Headless, and quiet on the network: this machine's closed network refuses Chromium's background
 * connections (updates, sync, safe browsing…) and QUIC, which otherwise slow every start.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where browser tests keep their screenshots (gitignored): test output to look at, not to compare. */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test', 'output', 'screenshots');

export interface Chromium {
  /** The suite's browser: one context over a fresh profile (cookies persist between its pages). */
  readonly context: BrowserContext;
  /** A new tab, with the page's console errors and CSP reports collected in `problems`. */
  newPage(): Promise<Page>;
  /** Console errors (but failed requests) and uncaught exceptions of every page opened so far; a CSP violation is one. */
  readonly problems: string[];
  /** Signs everybody out: clears the cookies of the context. */
  clearCookies(): Promise<void>;
  /** Saves a full-page PNG as `SCREENSHOT_DIR/<name>.png`, and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
}

let announcedScreenshots = false;

/**
 * Launches Chromium for the surrounding `describe` (before/after hooks) on a fresh `--user-data-dir`.
 * Without Chromium the suite is skipped with a warning, except in CI (`CI=true`), where it fails:
 * a browser test that silently didn't run would pass there.
 */
export function useChromium(): Chromium {
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  const problems: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM_PATH)) {
      const message = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
      if (process.env.CI === 'true') throw new Error(`CI needs the browser tests: ${message}`);
      console.warn(`  ⚠ skipping browser tests: ${message}`);
      this.skip();
    }
    this.timeout(60_000);
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
  });

  after(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  return {
    get context() {
      if (!context) throw new Error('Chromium is not running (useChromium() outside a describe?)');
      return context;
    },
    problems,
    async newPage() {
      const page = await this.context.newPage();
      page.on('console', (message) => {
        // Chromium logs every 4xx/5xx and refused connection as "Failed to load resource"; those are
        // answers the tests look for on the page. What's left is the page's own errors and CSP reports.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
          problems.push(`${page.url()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
      return page;
    },
    async clearCookies() {
      await this.context.clearCookies();
    },
    async screenshot(page, name) {
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (!announcedScreenshots) {
        announcedScreenshots = true;
        console.log(`  screenshots: ${path.relative(process.cwd(), SCREENSHOT_DIR) || '.'}/`);
      }
      return file;
    },
  };
}
