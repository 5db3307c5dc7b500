import type { Knex } from 'knex';

/**
 * The environments a project's events were sent from. Faultline keeps no table of environments:
 * every stored event counts its environment as a tag of its issue (`issue_tag_values`, key
 * `environment`), which is what the issue list's environment filter matches, so the names offered
 * are exactly the ones that filter can find. Reading the tags, not the events, keeps this a walk
 * over the project's issues rather than over every event.
 */
export async function listProjectEnvironments(knex: Knex, projectId: number): Promise<string[]> {
  const rows: { value: string }[] = await knex('issue_tag_values as tv')
    .join('issues as i', 'i.id', 'tv.issue_id')
    .where({ 'i.project_id': projectId, 'tv.key': 'environment' })
    .distinct('tv.value')
    .orderBy('tv.value');
  return rows.map((row) => row.value);
}
