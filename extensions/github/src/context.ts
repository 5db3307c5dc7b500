import {
  PluginError,
  type ChangeOptions,
  type EventsService,
  type HttpClient,
  type IssuesService,
  type KeyValueStorage,
  type LinkedAccountsService,
  type Logger,
  type PluginConfig,
} from '@faultline/plugin-sdk';
import type { Octokit } from '@octokit/rest';
import { octokitFor } from './client';
import { configSchema, connectionOf, type Connection, type GitHubConfig } from './config';
import { webUrlOf } from './source-links';

/** The host services the plugin works with, in one place for its modules. */
export interface Services {
  logger: Logger;
  config: PluginConfig;
  issues: IssuesService;
  events: EventsService;
  storage: KeyValueStorage;
  http: HttpClient;
  linkedAccounts: LinkedAccountsService;
}

/** The config in effect for a project, and GitHub as it reaches it. */
export interface ProjectGitHub {
  config: GitHubConfig;
  octokit: Octokit;
  webUrl: string;
}

export async function projectGitHub(services: Services, projectId: string): Promise<ProjectGitHub> {
  const config = configSchema.parse(await services.config.forProject(projectId));
  return { config, octokit: octokitFor(config, services.http), webUrl: webUrlOf(config.baseUrl) };
}

/** The project's connection to `repository`, or its first when none is named; PluginError without one. */
export function requireConnection(config: GitHubConfig, repository?: string): Connection {
  const connection = repository ? connectionOf(config, repository) : config.connections[0];
  if (!connection)
    throw new PluginError(
      repository
        ? `Repository ${repository} is not connected to this project`
        : 'No GitHub repository is connected to this project',
      { code: 'repository_not_connected' },
    );
  return connection;
}

export function splitRepository(repository: string): { owner: string; repo: string } {
  const [owner, repo] = repository.split('/');
  return { owner, repo };
}

/** Options that record a change as made through GitHub (so it is not sent back there). */
export const FROM_GITHUB: ChangeOptions = { surface: 'github' };
