import type { Knex } from 'knex';
import { countIssuesFirstSeenIn, firstReleaseKey } from '../issues';
import type { ReleaseCommit } from './commits';
import type { Deploy } from './deploys';
import type { Release, ReleaseProject } from './releases';

/** What release answers show beside the release's own columns, read for a page of releases at once. */
export interface ReleaseDetails {
  projects: (ReleaseProject & { newGroups: number })[];
  /** Issues first seen in this release, over its projects (Sentry's newGroups). */
  newGroups: number;
  commitCount: number;
  lastCommit: ReleaseCommit | null;
  deployCount: number;
  lastDeploy: Deploy | null;
}

/** The details of each release, by release id; a fixed handful of queries whatever the count. */
export async function releaseDetails(knex: Knex, releases: Release[]): Promise<Map<number, ReleaseDetails>> {
  const ids = releases.map((r) => r.id);
  const details = new Map<number, ReleaseDetails>(
    ids.map((id) => [
      id,
      { projects: [], newGroups: 0, commitCount: 0, lastCommit: null, deployCount: 0, lastDeploy: null },
    ]),
  );
  if (ids.length === 0) return details;
  const [projects, commitCounts, heads, deployCounts, lastDeploys] = await Promise.all([
    knex('release_projects as rp')
      .join('releases as r', 'r.id', 'rp.release_id')
      .join('projects as p', 'p.id', 'rp.project_id')
      .whereIn('rp.release_id', ids)
      .orderBy('p.slug')
      .select('rp.release_id', 'r.version', 'p.id', 'p.slug', 'p.name', 'p.platform'),
    knex('release_commits')
      .whereIn('release_id', ids)
      .groupBy('release_id')
      .select('release_id', knex.raw('count(*)::int AS n')),
    knex('release_commits as rc')
      .join('commits as c', 'c.id', 'rc.commit_id')
      .join('repositories as repo', 'repo.id', 'c.repository_id')
      .whereIn('rc.release_id', ids)
      .where('rc.position', 0)
      .select(
        'rc.release_id',
        'c.sha',
        'c.message',
        'c.author_name',
        'c.author_email',
        'c.date_added',
        'repo.name as repository',
      ),
    knex('deploys')
      .whereIn('release_id', ids)
      .groupBy('release_id')
      .select('release_id', knex.raw('count(*)::int AS n')),
    knex('deploys as d')
      .whereIn('d.release_id', ids)
      .whereRaw('d.id = (SELECT max(id) FROM deploys WHERE release_id = d.release_id)')
      .select('d.*'),
  ]);
  const newIssues = await countIssuesFirstSeenIn(
    knex,
    projects.map((p) => ({ projectId: p.id, version: p.version })),
  );
  for (const p of projects) {
    const d = details.get(p.release_id)!;
    const newGroups = newIssues.get(firstReleaseKey(p.id, p.version)) ?? 0;
    d.projects.push({ id: p.id, slug: p.slug, name: p.name, platform: p.platform, newGroups });
    d.newGroups += newGroups;
  }
  for (const c of commitCounts) details.get(c.release_id)!.commitCount = c.n;
  for (const h of heads)
    details.get(h.release_id)!.lastCommit = {
      id: h.sha,
      message: h.message,
      dateCreated: h.date_added,
      repository: h.repository,
      authorName: h.author_name,
      authorEmail: h.author_email,
    };
  for (const c of deployCounts) details.get(c.release_id)!.deployCount = c.n;
  for (const d of lastDeploys as Deploy[]) details.get(d.release_id)!.lastDeploy = d;
  return details;
}
