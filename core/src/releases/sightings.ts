import type { Knex } from 'knex';
import { DatabaseSignals } from '../db';
import { isKnownPair, pairKey, rememberPairs } from './known-releases';
import { versionProblem } from './versions';

/** A release named by a stored event of a project. */
export interface ReleaseSighting {
  projectId: number;
  version: string;
}

/**
 * Creates the releases events name that don't exist yet, and adds them to the events' projects, as
 * Sentry does on ingestion. Called once per stored batch on the pipeline's hot path: two
 * set-based statements for all the batch's distinct (project, release) pairs, none when no event
 * names a release or every pair named is already known (known-releases.ts). A version Sentry
 * wouldn't accept (with `/`, too long) stays on the event only.
 */
export async function recordReleaseSightings(
  trx: Knex.Transaction,
  sightings: ReleaseSighting[],
): Promise<void> {
  const pairs = new Map<string, ReleaseSighting>();
  for (const s of sightings) {
    const key = pairKey(s.projectId, s.version);
    if (pairs.has(key) || isKnownPair(trx, key) || versionProblem(s.version) !== null) continue;
    pairs.set(key, s);
  }
  if (pairs.size === 0) return;
  const projectIds = [...pairs.values()].map((p) => p.projectId);
  const versions = [...pairs.values()].map((p) => p.version);
  const seen = 'SELECT * FROM unnest(?::int[], ?::text[]) AS s(project_id, version)';
  await trx.raw(
    `INSERT INTO releases (organization_id, version)
     SELECT DISTINCT p.organization_id, s.version FROM (${seen}) s JOIN projects p ON p.id = s.project_id
     ORDER BY 1, 2
     ON CONFLICT (organization_id, version) DO NOTHING`,
    [projectIds, versions],
  );
  // A statement of its own, so it sees releases another batch committed meanwhile.
  await trx.raw(
    `INSERT INTO release_projects (project_id, release_id)
     SELECT s.project_id, r.id FROM (${seen}) s
     JOIN projects p ON p.id = s.project_id
     JOIN releases r ON r.organization_id = p.organization_id AND r.version = s.version
     ORDER BY 1, 2
     ON CONFLICT (project_id, release_id) DO NOTHING`,
    [projectIds, versions],
  );
  // Not before the commit: a batch that rolls back must not leave its pairs looking known.
  DatabaseSignals.afterCommit(trx, () => rememberPairs(trx, pairs.keys()));
}
