import type { Knex } from 'knex';

/**
 * What an issue's activity needs that nothing kept durably: when the pipeline reopened a resolved
 * issue (`issue_changes` says so too, but is pruned), one row per regression and none per event;
 * and the surface a comment was written through (web, api, slack, vscode…), as the audit log keeps
 * for other changes. Independent of the other migrations after 021.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE issue_regressions (
      id bigserial PRIMARY KEY,
      issue_id integer NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
      -- The event that reopened the issue, and its release when it had one.
      event_id text NOT NULL,
      release text NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX issue_regressions_issue ON issue_regressions (issue_id, id DESC)');
  await knex.raw('ALTER TABLE issue_comments ADD COLUMN surface text NULL');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
