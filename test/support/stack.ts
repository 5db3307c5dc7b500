import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { BootstrapResult } from '../../core/src/accounts';
import { ApiClient, waitFor } from './api';
import { runBootstrap } from './cli';
import { createDatabaseTarget, type DatabaseKind, type DatabaseTarget, type Knex } from './database';
import { envelopeUrl, eventEnvelope, parseTestDsn } from './envelopes';
import { FaultlineServer, freePort } from './server';

/** A bootstrapped database with a `faultline start` process serving it. */
export interface Stack {
  readonly target: DatabaseTarget;
  readonly port: number;
  readonly baseUrl: string;
  /** `faultline bootstrap --json` for the default project. */
  readonly setup: BootstrapResult;
  /** Bootstraps of the extra projects asked for, by slug. */
  readonly projects: Record<string, BootstrapResult>;
  readonly api: ApiClient;
  server: FaultlineServer;
  /**
   * Starts the server again (same port, database and settings, plus `env` when given) after it
   * stopped or was killed.
   */
  restart(env?: Record<string, string>): Promise<FaultlineServer>;
  dispose(): Promise<void>;
}

export interface StackOptions {
  /** Environment settings for the server (limits…). */
  env?: Record<string, string>;
  /** Slugs of more projects to bootstrap next to the default one. */
  extraProjects?: string[];
  /** Direct database setup, run after bootstrap and before the server starts. */
  prepare?: (knex: Knex, setup: BootstrapResult) => Promise<void>;
  /** CLI commands to run after bootstrap and before the server starts (e.g. `createuser`), with the database's arguments. */
  beforeStart?: (cliArgs: string[]) => Promise<void>;
  /** How long the server may take to answer `/_health` (default 30 s; the embedded database starts slower). */
  healthTimeoutMs?: number;
}

/**
 * Bootstraps a fresh database of `kind`, applies `prepare`, then starts the server. Bootstrap and
 * setup happen before `start` so the same sequence works for the embedded database, which only
 * one process may open at a time.
 */
export async function startStack(kind: DatabaseKind, options: StackOptions = {}): Promise<Stack> {
  const target = await createDatabaseTarget(kind);
  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const args = [...target.cliArgs, '--public-url', baseUrl];
    const setup = await runBootstrap(args);
    const projects: Record<string, BootstrapResult> = {};
    for (const slug of options.extraProjects ?? [])
      projects[slug] = await runBootstrap([...args, '--project', slug]);
    if (options.prepare) await target.withKnex((knex) => options.prepare!(knex, setup));
    await options.beforeStart?.(target.cliArgs);
    const start = (env?: Record<string, string>) =>
      FaultlineServer.start(target, {
        port,
        env: { ...options.env, ...env },
        healthTimeoutMs: options.healthTimeoutMs,
      });
    const stack: Stack = {
      target,
      port,
      baseUrl,
      setup,
      projects,
      api: new ApiClient(baseUrl, setup.token),
      server: await start(),
      restart: async (env) => {
        stack.server = await start(env);
        return stack.server;
      },
      dispose: async () => {
        await stack.server.stop();
        await target.dispose();
      },
    };
    return stack;
  } catch (error) {
    await target.dispose();
    throw error;
  }
}

/**
 * Sends one event to a bootstrapped project of the stack (the default one unless `setup` is given),
 * as an SDK would, which must take it (200).
 */
export async function sendEvent(
  stack: Stack,
  event: Parameters<typeof eventEnvelope>[0],
  setup: BootstrapResult = stack.setup,
): Promise<void> {
  const dsn = parseTestDsn(setup.dsn);
  const sent = await fetch(envelopeUrl(stack.baseUrl, dsn.projectId, dsn.publicKey), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-sentry-envelope' },
    body: new Uint8Array(eventEnvelope(event).body),
  });
  assert.equal(sent.status, 200);
}

/**
 * Sends one event to the stack's default project, as an SDK would, and waits for the issue it makes
 * (the newest); returns the issue's id.
 */
export async function reportIssue(stack: Stack, event: Parameters<typeof eventEnvelope>[0]): Promise<string> {
  await sendEvent(stack, event);
  return waitFor('the issue', async () => {
    const issues = await stack.api.issues(stack.setup.organization, stack.setup.project);
    return issues[0]?.id;
  });
}

/** Adds a project with a chosen id (and a key with a chosen public key) to the bootstrapped organization. */
export async function insertProject(
  knex: Knex,
  setup: BootstrapResult,
  project: { id: number; slug: string; publicKey: string },
): Promise<void> {
  const org = await knex('organizations').where({ slug: setup.organization }).first('id');
  const team = await knex('teams').where({ organization_id: org.id, slug: setup.team }).first('id');
  await knex('projects').insert({
    id: project.id,
    organization_id: org.id,
    slug: project.slug,
    name: project.slug,
    platform: 'javascript',
  });
  await knex('project_teams').insert({ project_id: project.id, team_id: team.id });
  await insertKey(knex, project.id, { publicKey: project.publicKey });
}

/** Adds a DSN key to a project, optionally with its own rate limit; returns the public key. */
export async function insertKey(
  knex: Knex,
  projectId: number,
  key: { publicKey?: string; rateLimitCount?: number; rateLimitWindow?: number } = {},
): Promise<string> {
  const publicKey = key.publicKey ?? crypto.randomBytes(16).toString('hex');
  await knex('project_keys').insert({
    project_id: projectId,
    label: 'e2e',
    public_key: publicKey,
    secret_key_hash: crypto.randomBytes(32).toString('hex'),
    rate_limit_count: key.rateLimitCount ?? null,
    rate_limit_window: key.rateLimitWindow ?? null,
  });
  return publicKey;
}
