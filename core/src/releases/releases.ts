import type { Knex } from 'knex';
import { BadRequestError, NotFoundError } from '../errors';
import { canSeeProject, type OrganizationAccess } from '../organizations';
import { forgetVersion } from './known-releases';
import { assertValidVersion } from './versions';

/** One row of `releases`. */
export interface Release {
  id: number;
  organization_id: number;
  version: string;
  ref: string | null;
  url: string | null;
  date_created: Date;
  date_started: Date | null;
  date_released: Date | null;
}

/** A project a release belongs to, as release answers list it. */
export interface ReleaseProject {
  id: number;
  slug: string;
  name: string;
  platform: string | null;
}

/** What may change on a release (sentry-cli's `finalize`, `PUT` with `url`/`ref`/`projects`). */
export interface ReleaseChange {
  /** Project slugs to add the release to (never removed: events keep naming it). */
  projects?: string[];
  ref?: string | null;
  url?: string | null;
  dateStarted?: Date | null;
  dateReleased?: Date | null;
}

const RELEASE_COLUMNS = [
  'id',
  'organization_id',
  'version',
  'ref',
  'url',
  'date_created',
  'date_started',
  'date_released',
];
/** RELEASE_COLUMNS of `releases as r`. */
const R_COLUMNS = RELEASE_COLUMNS.map((c) => `r.${c}`);

/** Sentry's order of releases, newest first by creation; the id breaks ties, so pages walk each once. */
const NEWEST_FIRST: { column: string; order: 'desc' }[] = [
  { column: 'r.date_created', order: 'desc' },
  { column: 'r.id', order: 'desc' },
];

/** A page of releases (`releases as r`), newest first; callers narrow it to whose releases they list. */
function newestReleases(knex: Knex, window: { limit: number; offset: number }) {
  return knex('releases as r')
    .orderBy(NEWEST_FIRST)
    .limit(window.limit)
    .offset(window.offset)
    .select<Release[]>(R_COLUMNS);
}

/** The organization's release of that version (404 when there is none). */
export async function findRelease(knex: Knex, organizationId: number, version: string): Promise<Release> {
  const release: Release | undefined = await knex('releases')
    .where({ organization_id: organizationId, version })
    .first(RELEASE_COLUMNS);
  if (!release) throw new NotFoundError(`Release ${version} not found`, 'release_not_found');
  return release;
}

/**
 * The organization's release of that version as the caller may see it: one of a project it sees,
 * or of no project at all; any other answers like a missing one (404). A version no release can
 * have is a 400.
 */
export async function findVisibleRelease(
  knex: Knex,
  access: OrganizationAccess,
  version: string,
): Promise<Release> {
  // Before looking: a version with `/` reached through an encoded `%2F` is a mistake, not a miss.
  assertValidVersion(version);
  const release = await findRelease(knex, access.organization.id, version);
  if (access.visibleProjectIds === undefined) return release;
  const projectIds: number[] = (
    await knex('release_projects').where('release_id', release.id).select('project_id')
  ).map((r: { project_id: number }) => r.project_id);
  if (projectIds.length > 0 && !projectIds.some((id) => canSeeProject(access, id)))
    throw new NotFoundError(`Release ${version} not found`, 'release_not_found');
  return release;
}

/**
 * The ids of the named projects, which must be the organization's and visible to the caller: an
 * unknown slug is a 400 naming it, as Sentry answers.
 */
async function projectIdsOf(knex: Knex, access: OrganizationAccess, slugs: string[]): Promise<number[]> {
  if (slugs.length === 0) return [];
  const rows: { id: number; slug: string }[] = await knex('projects')
    .where('organization_id', access.organization.id)
    .whereIn('slug', slugs)
    .select('id', 'slug');
  const visible = rows.filter((r) => canSeeProject(access, r.id));
  const unknown = slugs.filter((slug) => !visible.some((r) => r.slug === slug));
  if (unknown.length > 0)
    throw new BadRequestError(`Invalid project slugs: ${unknown.join(', ')}`, 'unknown_project');
  return visible.map((r) => r.id);
}

async function addProjects(knex: Knex, releaseId: number, projectIds: number[]): Promise<void> {
  if (projectIds.length === 0) return;
  await knex('release_projects')
    .insert(projectIds.map((project_id) => ({ project_id, release_id: releaseId })))
    .onConflict(['project_id', 'release_id'])
    .ignore();
}

/**
 * Creates the release, or finds it when it exists (sentry-cli repeats the call from `set-commits`),
 * and adds it to the named projects. Fields given for an existing release are left as they were
 * unless unset, so a repeated call changes nothing.
 */
export async function ensureRelease(
  knex: Knex,
  access: OrganizationAccess,
  wanted: {
    version: string;
    projects: string[];
    ref?: string | null;
    url?: string | null;
    dateStarted?: Date | null;
    dateReleased?: Date | null;
  },
): Promise<Release> {
  assertValidVersion(wanted.version);
  const projectIds = await projectIdsOf(knex, access, wanted.projects);
  return knex.transaction(async (trx) => {
    await trx('releases')
      .insert({
        organization_id: access.organization.id,
        version: wanted.version,
        ref: wanted.ref ?? null,
        url: wanted.url ?? null,
        date_started: wanted.dateStarted ?? null,
        date_released: wanted.dateReleased ?? null,
      })
      .onConflict(['organization_id', 'version'])
      .ignore();
    const release = await findRelease(trx, access.organization.id, wanted.version);
    await addProjects(trx, release.id, projectIds);
    const unset: Record<string, unknown> = {};
    if (release.ref === null && wanted.ref) unset.ref = wanted.ref;
    if (release.url === null && wanted.url) unset.url = wanted.url;
    if (release.date_started === null && wanted.dateStarted) unset.date_started = wanted.dateStarted;
    if (release.date_released === null && wanted.dateReleased) unset.date_released = wanted.dateReleased;
    if (Object.keys(unset).length === 0) return release;
    const [updated]: Release[] = await trx('releases')
      .where('id', release.id)
      .update(unset)
      .returning(RELEASE_COLUMNS);
    return updated;
  });
}

/** Applies a change to a release (finalizing is setting `dateReleased`). */
export async function updateRelease(
  knex: Knex,
  access: OrganizationAccess,
  release: Release,
  change: ReleaseChange,
): Promise<Release> {
  const projectIds = await projectIdsOf(knex, access, change.projects ?? []);
  const columns: Record<string, unknown> = {};
  if (change.ref !== undefined) columns.ref = change.ref;
  if (change.url !== undefined) columns.url = change.url;
  if (change.dateStarted !== undefined) columns.date_started = change.dateStarted;
  if (change.dateReleased !== undefined) columns.date_released = change.dateReleased;
  return knex.transaction(async (trx) => {
    await addProjects(trx, release.id, projectIds);
    if (Object.keys(columns).length === 0) return release;
    const [updated]: Release[] = await trx('releases')
      .where('id', release.id)
      .update(columns)
      .returning(RELEASE_COLUMNS);
    return updated;
  });
}

/** Deletes a release with its commits list and deploys (events keep naming its version). */
export async function deleteRelease(knex: Knex, release: Release): Promise<void> {
  await knex('releases').where('id', release.id).delete();
  // So the next event naming the version recreates it, as before the pipeline remembered it.
  forgetVersion(knex, release.version);
}

/** A project's releases, newest first (Sentry's default order, by creation). */
export async function listProjectReleases(
  knex: Knex,
  projectId: number,
  window: { limit: number; offset: number },
): Promise<Release[]> {
  return newestReleases(knex, window)
    .join('release_projects as rp', 'rp.release_id', 'r.id')
    .where('rp.project_id', projectId);
}

/** An organization's releases visible to the caller, newest first. */
export async function listOrganizationReleases(
  knex: Knex,
  access: OrganizationAccess,
  window: { limit: number; offset: number },
): Promise<Release[]> {
  const query = newestReleases(knex, window).where('r.organization_id', access.organization.id);
  if (access.visibleProjectIds !== undefined)
    query.whereExists(
      knex('release_projects as rp')
        .whereRaw('rp.release_id = r.id')
        .whereIn('rp.project_id', access.visibleProjectIds),
    );
  return query;
}

/**
 * The release before this one that has commits, sharing a project with it: where sentry-cli's
 * `set-commits --local` starts its range. Undefined when there is none.
 */
export async function previousReleaseWithCommits(knex: Knex, release: Release): Promise<Release | undefined> {
  return knex('releases as r')
    .where('r.organization_id', release.organization_id)
    .andWhere((q) =>
      q
        .where('r.date_created', '<', release.date_created)
        .orWhere((same) =>
          same.where('r.date_created', release.date_created).andWhere('r.id', '<', release.id),
        ),
    )
    .whereExists(knex('release_commits as rc').whereRaw('rc.release_id = r.id'))
    .whereExists(
      knex('release_projects as rp')
        .whereRaw('rp.release_id = r.id')
        .whereIn(
          'rp.project_id',
          knex('release_projects').where('release_id', release.id).select('project_id'),
        ),
    )
    .orderBy(NEWEST_FIRST)
    .first(R_COLUMNS);
}
