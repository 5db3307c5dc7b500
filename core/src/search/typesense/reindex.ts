import type { Knex } from 'knex';
import type { Client } from 'typesense';
import { countAllIssues, listIssueIdsAfter } from '../../issues';
import { ensureCollection } from './client';
import { indexIssues } from './documents';

/**
 * Sends every issue to Typesense, in id order and batches (`faultline search reindex`): for a
 * collection that is new, was lost, or whose schema changed. Upserts, so it can run beside the
 * indexer and be run again after an interruption. `onProgress` hears the issues done and the total.
 */
export async function reindexAllIssues(options: {
  knex: Knex;
  client: Client;
  collection: string;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<number> {
  const { knex, client, collection } = options;
  const batchSize = options.batchSize ?? 500;
  await ensureCollection(client, collection);
  // Issues created meanwhile count too: the total only grows.
  let total = await countAllIssues(knex);
  let done = 0;
  options.onProgress?.(done, total);
  for (let ids = await listIssueIdsAfter(knex, 0, batchSize); ids.length > 0;) {
    await indexIssues(knex, client, collection, ids);
    done += ids.length;
    total = Math.max(total, done);
    options.onProgress?.(done, total);
    ids = await listIssueIdsAfter(knex, ids.at(-1)!, batchSize);
  }
  return done;
}
