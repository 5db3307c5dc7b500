import { ok } from '@faultline/api-client';
import { newIssuesToGitHub, StandInGitHub } from '@faultline/extension-github/testing';
import { ChildApp } from './child-app';
import { REPO_ROOT } from './cli';
import type { DatabaseKind } from './database';
import { startStack, type Stack } from './stack';

export const REPOSITORY = 'acme/api';
export const SECOND_REPOSITORY = 'acme/web';
/** Ada's GitHub login; her Faultline account (the bootstrap admin) is linked to its GitHub user id. */
export const ADA = 'ada-gh';
export const ADA_NAME = 'Ada Lovelace';

export interface GitHubStack {
  stack: Stack;
  github: StandInGitHub;
  /** Ada's Faultline user id. */
  adminId: string;
  dispose(): Promise<void>;
}

/**
 * A stand-in GitHub on loopback and a real `faultline start` whose github plugin talks to it
 * (`installation`: the rest of PLUGIN_CONFIG_GITHUB), turned on for the project with `acme/api`
 * connected and mapped to this checkout (and `acme/web` connected), and an alert rule creating a GitHub issue for each new issue.
 */
export async function startGitHubStack(
  kind: DatabaseKind,
  installation: Record<string, unknown>,
): Promise<GitHubStack> {
  const github = await new StandInGitHub().start();
  const adaGitHubId = github.userId(ADA);
  let adminId = '';
  const stack = await startStack(kind, {
    // Embedded, the database starts in the server process (WebAssembly): slow on a busy machine.
    healthTimeoutMs: 120_000,
    env: {
      // The stand-in is on loopback, which only the installation may let plugins reach; the API's
      // address, the webhook secret and polling are the installation's, too.
      PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true',
      PLUGIN_CONFIG_GITHUB: JSON.stringify({ baseUrl: github.url, ...installation }),
    },
    // Ada's link as she would have confirmed it (the confirmation itself: linked-accounts tests).
    prepare: async (knex, setup) => {
      const org = await knex('organizations').where({ slug: setup.organization }).first('id');
      const admin = await knex('users').where({ email: setup.user }).first('id');
      await knex('users').where({ id: admin.id }).update({ name: ADA_NAME });
      await knex('external_identities').insert({
        organization_id: org.id,
        provider: 'github',
        external_workspace_id: 'acme',
        external_user_id: String(adaGitHubId),
        user_id: admin.id,
      });
      adminId = String(admin.id);
    },
  });
  const api = stack.api.client;
  const { organization, project } = stack.setup;
  await ok(
    api.PUT('/api/0/projects/{organization}/{project}/plugins/{pluginId}/', {
      params: { path: { organization, project, pluginId: 'github' } },
      body: {
        enabled: true,
        config: {
          token: 'github_pat_e2e',
          connections: [
            {
              repository: REPOSITORY,
              codeMappings: [{ stackRoot: `${REPO_ROOT}/`, sourceRoot: '', branch: 'main' }],
            },
            // A second repository, for issues made from the issue action.
            { repository: SECOND_REPOSITORY },
          ],
        },
      },
    }),
  );
  await ok(
    api.POST('/api/0/projects/{organization}/{project}/rules/', {
      params: { path: { organization, project } },
      body: newIssuesToGitHub(),
    }),
  );
  return {
    stack,
    github,
    adminId,
    dispose: async () => {
      await stack.dispose();
      await github.close();
    },
  };
}

/** Reports the error of `sentry-one-error-app.ts` through the official @sentry/node SDK, in its own process. */
export async function reportError(stack: Stack): Promise<void> {
  const app = new ChildApp('sentry-one-error-app.ts', { FAULTLINE_DSN: stack.setup.dsn });
  await app.report('sent');
  await app.finished();
}

/** The issue's status and assignee's user id, through the generated client. */
export async function issueState(stack: Stack, issueId: string) {
  const issue = await ok(
    stack.api.client.GET('/api/0/issues/{issue}/', { params: { path: { issue: issueId } } }),
  );
  const assignee = issue.assignedTo && 'email' in issue.assignedTo ? issue.assignedTo.id : null;
  return { status: issue.status, assignee };
}
