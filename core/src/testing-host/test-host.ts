import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { PluginError, type AlertNotification } from '@faultline/plugin-sdk';
import type {
  PluginFailureReport,
  TestEvent,
  TestHost,
  TestHostOptions,
} from '@faultline/plugin-sdk/testing';
import { bootstrap } from '../accounts';
import { createLogger } from '../logging';
import { IN_PROCESS_SOURCE, PluginAlertActions, PostgresKeyValueStorage, taskQueueName } from '../plugins';
import { openRuntime, startServices, TOKENS, type RunningServer, type Runtime } from '../runtime';
import { describePending, isIdle, pendingWork } from './pending-work';
import { testHostConfig } from './settings';

const ORGANIZATION = 'test-org';
const PROJECT = 'test-project';
const DEFAULT_IDLE_TIMEOUT_MS = 20_000;
const IDLE_POLL_MS = 20;

/**
 * The plugin test host (`startTestHost` of `@faultline/plugin-sdk/testing`): the real runtime, as
 * `faultline start` runs it, on an in-memory PGlite and a free loopback port, with a project, its DSN
 * and an owner's API token. The SDK loads this module by package name (it never imports core).
 */
export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-test-host-'));
  let runtime: Runtime | undefined;
  let running: RunningServer | undefined;
  const close = async () => {
    await running?.stop();
    await runtime?.close();
    running = undefined;
    runtime = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const config = testHostConfig(options, dataDir, await freePort());
    runtime = await openRuntime(config, createLogger(config.logLevel));
    running = await startServices(runtime, { http: true, workers: true });
    // A plugin the test asked for must be running; built-ins (extensions/*) the host found are not its business.
    const listed = new Set(options.plugins.map((p) => (typeof p === 'string' ? p : IN_PROCESS_SOURCE)));
    const skipped = (running.plugins?.skipped ?? []).filter((s) => listed.has(s.source));
    if (skipped.length > 0)
      throw new PluginError(
        `the test host skipped ${skipped.map((s) => `${s.source}: ${s.reason}`).join('; ')}`,
        { code: 'plugin_skipped' },
      );
    const setup = await bootstrap(runtime.db.knex, {
      organization: ORGANIZATION,
      team: `${ORGANIZATION}-team`,
      project: PROJECT,
      platform: 'javascript',
      email: 'owner@test-host.invalid',
      publicUrl: running.url,
    });
    return hostHandle({
      url: running.url,
      dsn: setup.dsn,
      token: setup.token,
      projectId: String(setup.projectId),
      knex: runtime.db.knex,
      wake: () => running?.worker?.wake(),
      queueTask: async (pluginId, taskName) => {
        const plugin = running?.plugins.plugin(pluginId);
        if (!plugin?.scheduler.tasks.some((t) => t.name === taskName))
          throw new PluginError(`plugin ${pluginId} scheduled no task named ${taskName}`, {
            code: 'unknown_task',
          });
        await running!.queue.send(taskQueueName(pluginId, taskName), {});
      },
      // The alert job's port, with the installation's budget, as features.ts builds it.
      runAlert: (pluginId, notification) =>
        new PluginAlertActions(running!.plugins, config.plugins.hookBudgetMs).run(pluginId, notification),
      failures: async (pluginId) => {
        if (!running?.plugins.plugin(pluginId))
          throw new PluginError(`plugin ${pluginId} is not loaded`, { code: 'unknown_plugin' });
        return running.plugins.failuresOf(pluginId);
      },
      pluginIds: () => running?.plugins.loaded.map((p) => p.id) ?? [],
      // A real session of the owner, as signing in makes one (the cookie a browser would send).
      sessionCookie: async () => {
        const auth = runtime!.container.resolve(TOKENS.Auth);
        const owner = await runtime!.db.knex('users').where({ email: setup.user }).first('id');
        const { token } = await auth.sessions.create(owner.id);
        return `${auth.cookies.names.session}=${token}`;
      },
      close,
    });
  } catch (error) {
    await close();
    throw error;
  }
}

interface HostParts {
  url: string;
  dsn: string;
  token: string;
  projectId: string;
  knex: Knex;
  wake: () => void;
  /** Queues one run of a plugin's scheduled task, as its cron tick does. */
  queueTask: (pluginId: string, taskName: string) => Promise<void>;
  /** Calls a plugin's alert action as an alert job does. */
  runAlert: (pluginId: string, notification: AlertNotification) => Promise<void>;
  failures: (pluginId: string) => Promise<PluginFailureReport>;
  /** The loaded plugins. */
  pluginIds: () => string[];
  sessionCookie: () => Promise<string>;
  close: () => Promise<void>;
}

function hostHandle(parts: HostParts): TestHost {
  const publicKey = decodeURIComponent(new URL(parts.dsn).username);
  let closing: Promise<void> | undefined;
  const api = (pathname: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${parts.token}`);
    if (typeof init.body === 'string' && !headers.has('content-type'))
      headers.set('content-type', 'application/json');
    return fetch(new URL(pathname, parts.url), { ...init, headers });
  };
  /** Failed calls already reported by `waitForIdle` (or allowed), by plugin and kind. */
  const reported = new Map<string, number>();
  /** Throws naming the plugins whose calls failed since the last check. */
  const checkFailures = async (allowFailures: boolean) => {
    const problems: string[] = [];
    for (const pluginId of parts.pluginIds()) {
      const { counts, lastErrors } = await parts.failures(pluginId);
      for (const [kind, count] of Object.entries(counts) as [keyof typeof counts, number][]) {
        const key = `${pluginId}:${kind}`;
        const before = reported.get(key) ?? 0;
        reported.set(key, count);
        if (count > before)
          problems.push(
            `${pluginId}: ${count - before} failed ${kind} call(s), the last: ${lastErrors[kind] ?? 'unknown error'}`,
          );
      }
    }
    if (problems.length > 0 && !allowFailures)
      throw new PluginError(`plugin calls failed: ${problems.join('; ')}`, { code: 'plugin_failed' });
  };
  const waitForIdle = async (options: { timeoutMs?: number; allowFailures?: boolean } = {}) => {
    const timeoutMs = options.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    const deadline = new Date(Date.now() + timeoutMs);
    for (;;) {
      const work = await pendingWork(parts.knex, deadline);
      if (isIdle(work)) return checkFailures(options.allowFailures ?? false);
      if (Date.now() >= deadline.getTime())
        throw new PluginError(`the test host was not idle after ${timeoutMs} ms: ${describePending(work)}`, {
          code: 'test_host_busy',
        });
      parts.wake();
      await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
    }
  };
  return {
    url: parts.url,
    dsn: parts.dsn,
    token: parts.token,
    organization: { slug: ORGANIZATION },
    project: { id: parts.projectId, slug: PROJECT },
    api,
    async sendEvent(event: TestEvent) {
      const eventId = event.event_id ?? randomUUID().replace(/-/g, '');
      const response = await fetch(`${parts.url}/api/${parts.projectId}/store/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${publicKey}, sentry_client=faultline-test-host/0.1`,
        },
        body: JSON.stringify({ ...event, event_id: eventId }),
      });
      if (response.status !== 200)
        throw new PluginError(`ingestion refused the event: ${response.status} ${await response.text()}`, {
          code: 'event_refused',
        });
      return eventId;
    },
    waitForIdle,
    failures: (pluginId) => parts.failures(pluginId),
    storage: (pluginId) => new PostgresKeyValueStorage(parts.knex, pluginId),
    async runTask(pluginId, taskName) {
      await parts.queueTask(pluginId, taskName);
      await waitForIdle();
    },
    runAlert: (pluginId, notification) => parts.runAlert(pluginId, notification),
    sessionCookie: () => parts.sessionCookie(),
    close() {
      closing ??= parts.close();
      return closing;
    },
  };
}

/** A loopback port nobody listens on (the OS picks it; released for the server to take). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
