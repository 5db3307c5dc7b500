import type { Knex } from 'knex';
import type { Client } from 'typesense';
import { findIssuesInAnyOrganization, listTagsOfIssues } from '../../issues';
import { httpStatusOf } from './client';
import { issueDocument } from './schema';

/**
 * Writes the current state of these issues to the collection, read from the issues domain:
 * upserted (so a batch sent twice, after a crash or an outage, does no harm) and, for an issue
 * that no longer exists, deleted. Throws when Typesense refuses or can't be reached; nothing is
 * lost then, the caller sends the same ids again.
 */
export async function indexIssues(
  knex: Knex,
  client: Client,
  collection: string,
  ids: number[],
): Promise<void> {
  if (ids.length === 0) return;
  const rows = await findIssuesInAnyOrganization(knex, ids);
  const tags = new Map<number, { key: string; value: string }[]>();
  for (const tag of await listTagsOfIssues(knex, ids)) {
    const list = tags.get(tag.issue_id) ?? [];
    list.push(tag);
    tags.set(tag.issue_id, list);
  }
  const documents = rows.map((row) => issueDocument(row, tags.get(row.id) ?? []));
  // import throws an ImportError naming the documents Typesense refused, if any.
  if (documents.length > 0) {
    await client.collections(collection).documents().import(documents, { action: 'upsert' });
  }
  const found = new Set(rows.map((row) => row.id));
  for (const id of ids.filter((issueId) => !found.has(issueId))) {
    try {
      await client.collections(collection).documents(String(id)).delete();
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
    }
  }
}
