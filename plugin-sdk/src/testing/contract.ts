import type { PluginDefinition } from '../define-plugin';
import type { PluginEvent } from '../event';
import type { AlertNotification } from '../hooks';
import type { KeyValueStorage } from '../services';

/**
 * What `startTestHost` takes and gives. This package only describes the test host: the host itself
 * is `@faultline/core`, which the SDK must not import (see README.md, "Testing a plugin"). Core
 * implements this contract in `core/src/testing-host/` and the SDK loads it at run time.
 */
export interface TestHostOptions {
  /**
   * The plugins to load, in order: definitions (`definePlugin(...)` values), which run in the test's
   * thread, or what `PLUGINS` takes (an npm package name, or a folder or file relative to the working
   * directory), which runs on a worker thread of its own as in production.
   */
  plugins: (PluginDefinition | string)[];
  /**
   * Config per plugin id, as `PLUGIN_CONFIG_<ID>` would hold it; validated against the plugin's
   * `configSchema` like in production. A plugin without an entry gets `{}`.
   */
  config?: Record<string, unknown>;
  /**
   * Further Faultline settings, by environment variable name (see the settings table of the main
   * README), e.g. `{ KEY_RATE_LIMIT_PER_MINUTE: '10' }`. The database (in-memory PGlite), data
   * directory, host and port are the test host's own. `PLUGIN_EVENT_BUDGET_MS` defaults to 1000
   * here (50 in production) so a busy test machine does not time out `processEvent`.
   */
  settings?: Record<string, string>;
  /** The host's log level (default `silent`); `info` shows your plugin's log lines. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** An event as a Sentry SDK sends it; `event_id` is filled in when missing. */
export type TestEvent = Partial<PluginEvent> & Record<string, unknown>;

/** A running host: real HTTP server, ingestion, pipeline, plugin host and job queue. */
export interface TestHost {
  /** Where the host listens (loopback, a port of its own). */
  readonly url: string;
  /** DSN of the project created at start, for a real Sentry SDK. */
  readonly dsn: string;
  /** An API token of the organization's owner, with every scope. */
  readonly token: string;
  readonly organization: { slug: string };
  readonly project: { id: string; slug: string };
  /**
   * `fetch` against the host's REST API with the token: `path` is relative to `url`
   * (e.g. `/api/0/projects/test-org/test-project/issues/`); a string body is sent as JSON.
   */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Posts the event to the real ingestion endpoint with the DSN's key; returns its `event_id`. */
  sendEvent(event: TestEvent): Promise<string>;
  /**
   * Resolves once everything queued is handled: ingested events went through the pipeline (and your
   * `processEvent`), issue changes reached the plugin hooks and alert rules, and the jobs they queued
   * (hook calls, alert actions, retries) finished. Jobs due later than the timeout (default 20 s)
   * don't count; throws naming what is still pending when the timeout passes. Also throws (code
   * `plugin_failed`, naming the plugin, the kind of call and its last error) when plugin calls failed
   * since the host started or the last `waitForIdle`, unless `allowFailures` is set: a test that
   * expects failures reads them with `failures(pluginId)`.
   */
  waitForIdle(options?: { timeoutMs?: number; allowFailures?: boolean }): Promise<void>;
  /**
   * How often a plugin's calls failed since the host started (threw, timed out, gave a wrong
   * answer), by kind, with the last error of each kind.
   */
  failures(pluginId: string): Promise<PluginFailureReport>;
  /** A plugin's storage (`coreServices.storage`), to read what it stored or to set up state. */
  storage(pluginId: string): KeyValueStorage;
  /**
   * Runs a task the plugin scheduled (`coreServices.scheduler`) now, through the job queue as its cron
   * tick would, and waits for idle (`waitForIdle`). Throws when the plugin scheduled no such task.
   */
  runTask(pluginId: string, taskName: string): Promise<void>;
  /**
   * Calls the plugin's alert action (`hooks.onAlert`) with this notification now, the way an alert
   * rule's action job calls it: `config` validated against the plugin's `actionConfigSchema` first,
   * the call isolated under the installation's hook budget (`PLUGIN_HOOK_BUDGET_MS`), a failure
   * counted in `failures(pluginId).counts.alert`. Rejects with the plugin's error (or the validation's),
   * where the job would retry. For what a notification holds when a rule fires (a digest of several
   * issues, a firing's id) without waiting out a rule's frequency or digest window.
   */
  runAlert(pluginId: string, notification: AlertNotification): Promise<void>;
  /**
   * A `Cookie` header value that signs a request in as the organization's owner (a real session of
   * the host, as signing in makes): for plugin routes that need a signed-in person
   * (`request.signedIn`), such as an account-connect flow, and for the session-only account routes
   * of the REST API (`/api/0/users/me/…`, reads only: writes would need the session's CSRF token).
   */
  sessionCookie(): Promise<string>;
  /** Stops the server and the workers and discards the database. */
  close(): Promise<void>;
}

/** Failed calls of one plugin, by kind: `processEvent`, issue `hook`s, `alert` actions, scheduled `task`s. */
export interface PluginFailureReport {
  counts: Record<'processEvent' | 'hook' | 'alert' | 'task', number>;
  lastErrors: Partial<Record<'processEvent' | 'hook' | 'alert' | 'task', string>>;
}

/** What the implementing module exports. */
export interface TestHostModule {
  startTestHost(options: TestHostOptions): Promise<TestHost>;
}

/** The package path the SDK loads the implementation from. */
export const TEST_HOST_MODULE = '@faultline/core/testing-host';
