/**
 * Releases, as Sentry keeps them: an organization's versions and their projects, the repositories
 * and commits each ships, deploys per environment, and the releases events name, created as the
 * pipeline first sees them. Owns `releases`, `release_projects`, `repositories`, `commits`,
 * `release_commits` and `deploys`.
 */
export {
  deleteRelease,
  ensureRelease,
  findRelease,
  findVisibleRelease,
  listOrganizationReleases,
  listProjectReleases,
  previousReleaseWithCommits,
  updateRelease,
  type Release,
  type ReleaseChange,
  type ReleaseProject,
} from './releases';
export { releaseDetails, type ReleaseDetails } from './details';
export {
  setReleaseCommits,
  setReleaseRefs,
  type CommitInput,
  type PatchEntry,
  type RefInput,
  type ReleaseCommit,
} from './commits';
export { createDeploy, listDeploys, type Deploy } from './deploys';
export { REPOSITORY_PROVIDERS, createRepository, listRepositories, type Repository } from './repositories';
export { recordReleaseSightings, type ReleaseSighting } from './sightings';
export { MAX_VERSION_LENGTH, assertValidVersion, versionProblem } from './versions';
