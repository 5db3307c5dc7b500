import type { Knex } from 'knex';
import { ISSUE_WORDS_SQL } from '../../search/types';

/**
 * Indexes for the issue search language (issue 16):
 * - free text: a GIN index on the words of title, culprit and message, the very expression the
 *   Postgres search adapter matches (`search/types.ts`), for prefix `tsquery`s;
 * - tags: by key and value first, so a selective `browser.name:Chrome` finds its issues without
 *   reading every issue's tags (the primary key leads with the issue);
 * - the common list: a project's issues of one status, newest last seen first.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX issues_search_words ON issues USING gin ((${ISSUE_WORDS_SQL}))`);
  await knex.raw('CREATE INDEX issue_tag_values_by_value ON issue_tag_values (key, value, issue_id)');
  await knex.raw(
    'CREATE INDEX issues_project_status_last_seen ON issues (project_id, status, last_seen DESC, id DESC)',
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
