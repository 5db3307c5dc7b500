import type { Knex } from 'knex';

/**
 * How many issues of each project were first seen in each release (Sentry's `newGroups`), for a
 * page of releases at once: one query over the index of issues by (project, first release).
 */
export async function countIssuesFirstSeenIn(
  knex: Knex,
  pairs: { projectId: number; version: string }[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (pairs.length === 0) return counts;
  const { rows } = await knex.raw<{ rows: { project_id: number; version: string; n: number }[] }>(
    `SELECT i.project_id, i.first_release AS version, count(*)::int AS n
     FROM issues i JOIN unnest(?::int[], ?::text[]) AS p(project_id, version)
       ON i.project_id = p.project_id AND i.first_release = p.version
     GROUP BY i.project_id, i.first_release`,
    [pairs.map((p) => p.projectId), pairs.map((p) => p.version)],
  );
  for (const row of rows) counts.set(firstReleaseKey(row.project_id, row.version), row.n);
  return counts;
}

/** The key of `countIssuesFirstSeenIn`'s answer. */
export function firstReleaseKey(projectId: number, version: string): string {
  return `${projectId}\n${version}`;
}
