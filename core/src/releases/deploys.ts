import type { Knex } from 'knex';
import { BadRequestError } from '../errors';
import type { Release } from './releases';

/** One row of `deploys`: a release put into an environment. */
export interface Deploy {
  id: number;
  release_id: number;
  environment: string;
  name: string | null;
  url: string | null;
  date_started: Date | null;
  date_finished: Date;
}

/** Sentry's limit on an environment name. */
const MAX_ENVIRONMENT_LENGTH = 64;

const DEPLOY_COLUMNS = ['id', 'release_id', 'environment', 'name', 'url', 'date_started', 'date_finished'];

/** Records a deploy of the release (`sentry-cli releases deploys <v> new -e production`). */
export async function createDeploy(
  knex: Knex,
  release: Release,
  deploy: {
    environment: string;
    name?: string | null;
    url?: string | null;
    dateStarted?: Date | null;
    dateFinished?: Date | null;
  },
): Promise<Deploy> {
  const environment = deploy.environment;
  if (
    environment.trim() === '' ||
    environment.length > MAX_ENVIRONMENT_LENGTH ||
    /[/\n\r\t\f]/.test(environment)
  )
    throw new BadRequestError(
      `Invalid environment "${environment}": 1 to ${MAX_ENVIRONMENT_LENGTH} characters, without "/" or line breaks`,
      'invalid_environment',
    );
  const [row]: Deploy[] = await knex('deploys')
    .insert({
      release_id: release.id,
      environment,
      name: deploy.name ?? null,
      url: deploy.url ?? null,
      date_started: deploy.dateStarted ?? null,
      date_finished: deploy.dateFinished ?? knex.fn.now(),
    })
    .returning(DEPLOY_COLUMNS);
  return row;
}

/** The release's deploys, newest first. */
export async function listDeploys(knex: Knex, release: Release): Promise<Deploy[]> {
  return knex('deploys').where('release_id', release.id).orderBy('id', 'desc').select(DEPLOY_COLUMNS);
}
