import type { Knex } from 'knex';
import { unlessTaken } from '../organizations';

/** One row of `repositories`: a source repository whose commits releases ship. */
export interface Repository {
  id: number;
  organization_id: number;
  name: string;
  url: string | null;
  /** Sentry's provider id (`integrations:github`); null for a repository only named by commits. */
  provider: string | null;
  external_id: string | null;
  status: string;
  date_created: Date;
}

/** The providers Faultline knows by name, as Sentry shows them. */
export const REPOSITORY_PROVIDERS: Readonly<Record<string, string>> = {
  'integrations:github': 'GitHub',
};

const REPOSITORY_COLUMNS = [
  'id',
  'organization_id',
  'name',
  'url',
  'provider',
  'external_id',
  'status',
  'date_created',
];

/** An organization's repositories, oldest first (sentry-cli pages through all of them). */
export async function listRepositories(
  knex: Knex,
  organizationId: number,
  window: { limit: number; offset: number },
): Promise<Repository[]> {
  return knex('repositories')
    .where('organization_id', organizationId)
    .orderBy('id')
    .limit(window.limit)
    .offset(window.offset)
    .select(REPOSITORY_COLUMNS);
}

/** Adds a repository to the organization (409 when one of that name exists). */
export async function createRepository(
  knex: Knex,
  organizationId: number,
  repository: { name: string; url: string | null; provider: string | null; externalId: string | null },
): Promise<Repository> {
  return unlessTaken(`Repository ${repository.name}`, async () => {
    const [row]: Repository[] = await knex('repositories')
      .insert({
        organization_id: organizationId,
        name: repository.name,
        url: repository.url,
        provider: repository.provider,
        external_id: repository.externalId,
      })
      .returning(REPOSITORY_COLUMNS);
    return row;
  });
}

/** The organization's repositories of these names, by name (missing names are absent). */
export async function repositoriesNamed(
  knex: Knex,
  organizationId: number,
  names: string[],
): Promise<Map<string, Repository>> {
  const rows: Repository[] = await knex('repositories')
    .where('organization_id', organizationId)
    .whereIn('name', [...new Set(names)])
    .select(REPOSITORY_COLUMNS);
  return new Map(rows.map((r) => [r.name, r]));
}

/**
 * The repositories of these names, creating the missing ones without a provider: commit lists
 * (`set-commits --local`) name their repository as the local remote (`origin`), as Sentry accepts.
 */
export async function ensureRepositoriesNamed(
  knex: Knex,
  organizationId: number,
  names: string[],
): Promise<Map<string, Repository>> {
  const unique = [...new Set(names)];
  if (unique.length > 0)
    await knex('repositories')
      .insert(unique.map((name) => ({ organization_id: organizationId, name })))
      .onConflict(['organization_id', 'name'])
      .ignore();
  return repositoriesNamed(knex, organizationId, unique);
}
