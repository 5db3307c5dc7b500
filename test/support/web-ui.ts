import type { Page } from 'playwright-core';
import { waitFor } from './api';
import { createDatabaseTarget, type DatabaseKind, type DatabaseTarget } from './database';
import { httpRequest } from './http';
import { FaultlineServer, freePort } from './server';

/** The admin `faultline start --bootstrap` creates. */
export const ADMIN_EMAIL = 'admin@faultline.local';

/** A first `faultline start --bootstrap` on a fresh database, as a newcomer runs it. */
export interface FirstRun {
  target: DatabaseTarget;
  server: FaultlineServer;
  url: string;
  port: number;
}

/** `env`: settings for the server, e.g. `PLUGINS` to load a test plugin. */
export async function startFirstRun(kind: DatabaseKind, env?: Record<string, string>): Promise<FirstRun> {
  const target = await createDatabaseTarget(kind);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // A first start migrates a fresh database and bootstraps: slow on a busy machine.
  const server = await FaultlineServer.start(target, {
    port,
    args: ['--bootstrap', '--public-url', url],
    env,
    healthTimeoutMs: 120_000,
  });
  return { target, server, url, port };
}

/** What the first start printed: the DSN, the admin's API token and the choose-a-password link. */
export const printedDsn = (server: FaultlineServer) =>
  /DSN for your Sentry SDK:\s+(\S+)/.exec(server.output())![1];
export const printedToken = (server: FaultlineServer) =>
  /API token \([^)]*\):\s+(\S+)/.exec(server.output())![1];
export const printedPasswordLink = (server: FaultlineServer) =>
  waitFor('the printed sign-in link', async () => /choose a password at (\S+)/.exec(server.output())?.[1]);

/** Gives the bootstrap admin a password through the printed link's token (the API, no browser). */
export async function setAdminPassword(run: FirstRun, password: string): Promise<void> {
  const token = new URL(await printedPasswordLink(run.server)).searchParams.get('token');
  const answer = await httpRequest(`${run.url}/api/0/auth/password-reset/complete/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, newPassword: password }),
  });
  if (answer.status >= 300) throw new Error(`password reset answered ${answer.status}: ${answer.body}`);
}

/** Signs in on the web UI's sign-in page with a password (and stops there). */
export async function submitPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
