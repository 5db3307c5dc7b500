import { BadRequestError } from '../errors';

/** Sentry's limit on a release version's length. */
export const MAX_VERSION_LENGTH = 200;

/** Versions Sentry refuses: they would read as paths or as the special names of its UI. */
const RESERVED_VERSIONS = new Set(['.', '..', 'latest']);

/**
 * Why `version` can't name a release, or null when it can. As in Sentry: not empty, not longer
 * than 200 characters, no `/` (sentry-cli refuses those too: they can't be a path segment), no
 * line breaks or tabs, not `.`, `..` or `latest`.
 */
export function versionProblem(version: string): string | null {
  if (version.trim() === '') return 'a release version must not be empty';
  if (version.length > MAX_VERSION_LENGTH)
    return `a release version has at most ${MAX_VERSION_LENGTH} characters`;
  if (version.includes('/')) return `release version "${version}" contains "/", which Sentry does not allow`;
  if (/[\n\r\t\f\0]/.test(version)) return 'a release version must not contain line breaks, tabs or NUL';
  if (RESERVED_VERSIONS.has(version)) return `"${version}" is reserved and can't name a release`;
  return null;
}

/** Refuses a version that can't name a release with a 400 naming the problem. */
export function assertValidVersion(version: string): void {
  const problem = versionProblem(version);
  if (problem !== null) throw new BadRequestError(`Invalid release version: ${problem}`, 'invalid_version');
}
