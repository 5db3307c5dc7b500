import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { useChromium, type Chromium } from './chromium';
import { REPO_ROOT, runCli } from './cli';
import { preferredKind, type DatabaseKind } from './database';
import { TokenCaller } from './session';
import { startStack, type Stack } from './stack';
import { submitPassword } from './web-ui';

/** A person for the browser tests: created with `faultline createuser` as a member of `org` with `role`. */
export async function createPerson(
  cliArgs: string[],
  person: { email: string; password: string; org: string; role: string },
): Promise<void> {
  const cli = await runCli(
    [
      'createuser',
      '--email',
      person.email,
      '--password-stdin',
      '--org',
      person.org,
      '--role',
      person.role,
      ...cliArgs,
    ],
    { input: `${person.password}\n` },
  );
  assert.equal(cli.code, 0, `createuser: ${cli.stderr}${cli.stdout}`);
}

/**
 * Signs in on the web UI's sign-in page with email and password (no second factor), coming back to
 * `path`; resolves once the sign-in page is gone.
 */
export async function signInOnWebPage(
  page: Page,
  baseUrl: string,
  path: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/auth/login?next=${encodeURIComponent(path)}`);
  await submitPassword(page, email, password);
  await page.waitForURL((url) => url.pathname !== '/auth/login');
}

/** The organization `faultline bootstrap` makes when given none. */
const BOOTSTRAP_ORGANIZATION = 'faultline';

/**
 * A `faultline start` for browser tests (on `kind`, by default Postgres when reachable), with
 * `people` made by `createuser` in the bootstrapped organization before it starts; the built web
 * UI is required.
 */
export async function startWebStack(
  people: { email: string; password: string; role: string }[],
  kind?: DatabaseKind,
): Promise<Stack> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html')))
    throw new Error('web/dist is not built: run `npm run build` (npm test does it)');
  return startStack(kind ?? (await preferredKind()), {
    beforeStart: async (cliArgs) => {
      for (const person of people) await createPerson(cliArgs, { ...person, org: BOOTSTRAP_ORGANIZATION });
    },
  });
}

/** What `useWebStack` gives a browser suite, ready in its tests and its own hooks. */
export interface WebSuite {
  readonly chromium: Chromium;
  readonly stack: Stack;
  /** The suite's one tab. */
  readonly page: Page;
}

/**
 * The set-up most browser suites share: Chromium, a `startWebStack(people)` and a tab, made in a
 * `before` hook of the surrounding `describe` and disposed in an `after` one. Call it before the
 * suite's own hooks, so those run with everything ready.
 */
export function useWebStack(people: { email: string; password: string; role: string }[]): WebSuite {
  const chromium = useChromium();
  let stack: Stack | undefined;
  let page: Page | undefined;
  before(async function () {
    this.timeout(180_000);
    stack = await startWebStack(people);
    page = await chromium.newPage();
  });
  after(async () => {
    await stack?.dispose();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('the web stack is not started (useWebStack() outside a describe?)');
    return value;
  };
  return {
    chromium,
    get stack() {
      return ready(stack);
    },
    get page() {
      return ready(page);
    },
  };
}

/**
 * `startWebStack` whose people of role `member` are also put in the bootstrapped team, so they see
 * its project; `api` calls it with the token bootstrap printed.
 */
export async function startWebStackWithTeam(
  people: { email: string; password: string; role: string }[],
): Promise<{ stack: Stack; api: TokenCaller }> {
  const stack = await startWebStack(people);
  const api = new TokenCaller(stack.baseUrl, stack.setup.token);
  const { organization: org, team } = stack.setup;
  const members = await api.get<{ id: string; email: string }[]>(`/organizations/${org}/members/`);
  for (const person of people.filter((p) => p.role === 'member')) {
    const member = members.find((m) => m.email === person.email)!;
    await api.expect(201, 'POST', `/organizations/${org}/members/${member.id}/teams/${team}/`, { body: {} });
  }
  return { stack, api };
}
