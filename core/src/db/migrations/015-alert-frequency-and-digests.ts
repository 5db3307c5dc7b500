import type { Knex } from 'knex';

/**
 * What frequency triggers and digests need.
 *
 * - `issue_minute_counts` / `issue_minute_users`: per issue and minute (of arrival), the events and
 *   the distinct users (a 64-bit hash of the user key), written with each stored batch and pruned
 *   after a day (the longest window). No foreign keys: rows are short-lived, and readers join issues.
 * - `alert_fires` may now come from a frequency evaluation rather than a change (`change_id` null).
 *   `window_key` (the evaluated minute) with a unique index makes a second evaluation of the same
 *   minute by another worker a no-op; `trigger` and `reason` say what fired; `digest_id` ties a fire
 *   to the digest that will announce it.
 * - `alert_digests`: one open digest per rule at most (partial unique index); a delayed job closes
 *   it and sends its fires as one notification per action.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE issue_minute_counts (
      project_id integer NOT NULL,
      minute timestamptz NOT NULL,
      issue_id integer NOT NULL,
      events integer NOT NULL,
      PRIMARY KEY (project_id, minute, issue_id)
    )`);
  await knex.raw('CREATE INDEX issue_minute_counts_minute ON issue_minute_counts (minute)');
  await knex.raw(`
    CREATE TABLE issue_minute_users (
      project_id integer NOT NULL,
      minute timestamptz NOT NULL,
      issue_id integer NOT NULL,
      user_hash bigint NOT NULL,
      PRIMARY KEY (project_id, minute, issue_id, user_hash)
    )`);
  await knex.raw('CREATE INDEX issue_minute_users_minute ON issue_minute_users (minute)');

  await knex.raw('ALTER TABLE alert_rules ADD COLUMN digest_minutes integer NULL');
  await knex.raw(`
    CREATE TABLE alert_digests (
      id bigserial PRIMARY KEY,
      rule_id integer NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
      opened_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz NULL,
      actions jsonb NOT NULL
    )`);
  await knex.raw('CREATE UNIQUE INDEX alert_digests_open ON alert_digests (rule_id) WHERE closed_at IS NULL');

  await knex.raw('ALTER TABLE alert_fires ALTER COLUMN change_id DROP NOT NULL');
  await knex.raw(`
    ALTER TABLE alert_fires
      ADD COLUMN "trigger" text NULL,
      ADD COLUMN reason text NULL,
      ADD COLUMN window_key text NULL,
      ADD COLUMN digest_id bigint NULL REFERENCES alert_digests(id) ON DELETE SET NULL`);
  await knex.raw('CREATE UNIQUE INDEX alert_fires_window ON alert_fires (rule_id, issue_id, window_key)');
  await knex.raw('CREATE INDEX alert_fires_digest ON alert_fires (digest_id) WHERE digest_id IS NOT NULL');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
