import type { Knex } from 'knex';
import { ISSUE_WORDS_SQL } from '../../search/types';

/**
 * Free-text search reads the words from a stored column instead of an expression index: with the
 * expression, every candidate row had its tsvector computed again (regexp_replace and to_tsvector
 * per row, for phrase rechecks and when the planner walked the last-seen index instead), which
 * `npm run bench:search` measured at 10–20x the cost of a plain ILIKE on small data. The column
 * is computed once per write; migration 022's expression index goes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `ALTER TABLE issues ADD COLUMN search_words tsvector GENERATED ALWAYS AS (${ISSUE_WORDS_SQL}) STORED`,
  );
  await knex.raw('DROP INDEX issues_search_words');
  await knex.raw('CREATE INDEX issues_search_words ON issues USING gin (search_words)');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
