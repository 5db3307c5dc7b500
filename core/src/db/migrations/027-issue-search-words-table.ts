import type { Knex } from 'knex';
import { ISSUE_WORDS_SQL } from '../../search/types';

/**
 * The search words move out of `issues` into a table of their own, kept by a trigger that fires
 * only when an issue's title, culprit or metadata is written. As a generated column (023) they
 * sat on ingestion's hot path: every batch updates each of its issues' counters, and Postgres
 * recomputed the tsvector (a regexp_replace and a to_tsvector) for each of those updates and,
 * the update not being HOT (`last_seen` is indexed), put the row's every word into the GIN index
 * again. The words only change with the texts they are made of, which ingestion writes once, when
 * it creates the issue.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE issue_search_words (
      issue_id int PRIMARY KEY REFERENCES issues(id) ON DELETE CASCADE,
      words tsvector NOT NULL
    )`);
  await knex.raw('INSERT INTO issue_search_words (issue_id, words) SELECT id, search_words FROM issues');
  // Dropping the column drops 023's index on it.
  await knex.raw('ALTER TABLE issues DROP COLUMN search_words');
  await knex.raw('CREATE INDEX issue_search_words_words ON issue_search_words USING gin (words)');
  // The one expression of the words (search/types.ts), over the row being written.
  await knex.raw(`
    CREATE FUNCTION issue_search_words_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO issue_search_words (issue_id, words)
        SELECT NEW.id, ${ISSUE_WORDS_SQL}
          FROM (SELECT NEW.title AS title, NEW.culprit AS culprit, NEW.metadata AS metadata) AS issue
      ON CONFLICT (issue_id) DO UPDATE SET words = EXCLUDED.words;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER issue_search_words_keep AFTER INSERT OR UPDATE OF title, culprit, metadata ON issues
      FOR EACH ROW EXECUTE FUNCTION issue_search_words_keep()`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
