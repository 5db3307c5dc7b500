import type { Knex } from 'knex';

/**
 * Issues of other systems (a GitHub issue, a Jira ticket) linked to Faultline issues by a plugin.
 * Keys live in the plugin's namespace: two plugins may use the same key for different things.
 */

export interface ExternalLinkRow {
  issue_id: number;
  plugin_id: string;
  key: string;
  url: string;
  title: string | null;
  created_at: Date;
}

/** Links (or updates the url and title of the link of) an external issue to a Faultline issue. */
export async function linkExternalIssue(
  knex: Knex,
  link: { issueId: number; pluginId: string; key: string; url: string; title: string | null },
): Promise<void> {
  await knex('issue_external_links')
    .insert({
      issue_id: link.issueId,
      plugin_id: link.pluginId,
      key: link.key,
      url: link.url,
      title: link.title,
    })
    .onConflict(['plugin_id', 'key', 'issue_id'])
    .merge(['url', 'title']);
}

/** The external issues a plugin linked to an issue, oldest link first. */
export async function listExternalLinks(
  knex: Knex,
  pluginId: string,
  issueId: number,
): Promise<ExternalLinkRow[]> {
  return knex('issue_external_links')
    .where({ plugin_id: pluginId, issue_id: issueId })
    .orderBy('id')
    .select('issue_id', 'plugin_id', 'key', 'url', 'title', 'created_at');
}

/** Every plugin's external issues linked to an issue, oldest link first (what the REST API lists). */
export async function listIssueExternalLinks(knex: Knex, issueId: number): Promise<ExternalLinkRow[]> {
  return knex('issue_external_links')
    .where({ issue_id: issueId })
    .orderBy('id')
    .select('issue_id', 'plugin_id', 'key', 'url', 'title', 'created_at');
}

/** The ids of the issues a plugin linked to an external key, oldest link first. */
export async function findIssueIdsByExternalKey(
  knex: Knex,
  pluginId: string,
  key: string,
): Promise<number[]> {
  const rows: { issue_id: number }[] = await knex('issue_external_links')
    .where({ plugin_id: pluginId, key })
    .orderBy('id')
    .select('issue_id');
  return rows.map((r) => r.issue_id);
}
