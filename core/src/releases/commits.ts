import type { Knex } from 'knex';
import { BadRequestError } from '../errors';
import type { Release } from './releases';
import { ensureRepositoriesNamed, repositoriesNamed } from './repositories';

/** A file a commit touched, as sentry-cli sends it: added, modified or deleted. */
export interface PatchEntry {
  path: string;
  type: 'A' | 'M' | 'D';
}

/** A commit as `set-commits --local` (and Sentry's API) describes it. */
export interface CommitInput {
  id: string;
  /** The repository's name; sentry-cli sends the git remote (`origin`) for local commit lists. */
  repository?: string | null;
  message?: string | null;
  authorName?: string | null;
  authorEmail?: string | null;
  timestamp?: Date | null;
  patchSet?: PatchEntry[];
}

/** A head commit of a repository (`set-commits --commit acme/shop@sha`). */
export interface RefInput {
  repository: string;
  commit: string;
  previousCommit?: string | null;
}

/** Where a commit list without a repository name puts its commits, as Sentry does. */
const DEFAULT_REPOSITORY = 'origin';

/** A release's commit as answers show it (lastCommit). */
export interface ReleaseCommit {
  id: string;
  message: string | null;
  dateCreated: Date;
  repository: string;
  authorName: string | null;
  authorEmail: string | null;
}

type CommitRow = { repository_id: number; sha: string } & Record<string, unknown>;

/** Stores the commits (refreshing what is known of existing ones) and makes them the release's, newest first. */
async function replaceReleaseCommits(
  trx: Knex.Transaction,
  release: Release,
  rows: CommitRow[],
): Promise<void> {
  await trx('release_commits').where('release_id', release.id).delete();
  if (rows.length === 0) return;
  const described = Object.keys(rows[0]).filter((k) => k !== 'repository_id' && k !== 'sha');
  // A head commit alone (refs) says nothing new of a known commit; the no-op update still returns its id.
  const stored: { id: number; repository_id: number; sha: string }[] = await trx('commits')
    .insert(rows)
    .onConflict(['repository_id', 'sha'])
    .merge(described.length > 0 ? described : ['sha'])
    .returning(['id', 'repository_id', 'sha']);
  const idOf = new Map(stored.map((c) => [`${c.repository_id}:${c.sha}`, c.id]));
  const seen = new Set<number>();
  const links: { release_id: number; commit_id: number; position: number }[] = [];
  for (const row of rows) {
    const commitId = idOf.get(`${row.repository_id}:${row.sha}`)!;
    if (seen.has(commitId)) continue;
    seen.add(commitId);
    links.push({ release_id: release.id, commit_id: commitId, position: links.length });
  }
  await trx('release_commits').insert(links);
}

/** The same commit given twice (a repeated entry) is stored once, its first description kept. */
function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/**
 * Sets the release's commits from a commit list (`set-commits --local`, Sentry's `commits`), the
 * first being the newest; the repositories they name are created when missing.
 */
export async function setReleaseCommits(knex: Knex, release: Release, commits: CommitInput[]): Promise<void> {
  await knex.transaction(async (trx) => {
    const repos = await ensureRepositoriesNamed(
      trx,
      release.organization_id,
      commits.map((c) => c.repository ?? DEFAULT_REPOSITORY),
    );
    const rows = uniqueBy(
      commits.map((c) => ({
        repository_id: repos.get(c.repository ?? DEFAULT_REPOSITORY)!.id,
        sha: c.id,
        message: c.message ?? null,
        author_name: c.authorName ?? null,
        author_email: c.authorEmail ?? null,
        date_added: c.timestamp ?? new Date(),
        patch_set: JSON.stringify(c.patchSet ?? []),
      })),
      (r) => `${r.repository_id}:${r.sha}`,
    );
    await replaceReleaseCommits(trx, release, rows);
  });
}

/**
 * Sets the release's head commit in each named repository (`set-commits --commit`, Sentry's
 * `refs`). The repositories must exist (400 naming the unknown ones). Faultline fetches no commit
 * history from the provider, so the release holds the heads themselves.
 */
export async function setReleaseRefs(knex: Knex, release: Release, refs: RefInput[]): Promise<void> {
  await knex.transaction(async (trx) => {
    const repos = await repositoriesNamed(
      trx,
      release.organization_id,
      refs.map((r) => r.repository),
    );
    const unknown = [...new Set(refs.map((r) => r.repository).filter((name) => !repos.has(name)))];
    if (unknown.length > 0)
      throw new BadRequestError(`Invalid repository names: ${unknown.join(', ')}`, 'unknown_repository');
    const rows = uniqueBy(
      refs.map((r) => ({ repository_id: repos.get(r.repository)!.id, sha: r.commit })),
      (r) => `${r.repository_id}:${r.sha}`,
    );
    await replaceReleaseCommits(trx, release, rows);
  });
}
