import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runCli } from './cli';

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
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/auth/login');
}
