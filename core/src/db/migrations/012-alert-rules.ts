import type { Knex } from 'knex';

/**
 * Issue alert rules per project (`alert_rules`), the history of their fires (`alert_fires`), and the
 * rule evaluator's leased cursor in the change outbox (`alert_cursors`, one row per consumer, like
 * `plugin_hook_cursors`). A rule fires at most once per change (`UNIQUE (rule_id, change_id)`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE alert_rules (
      id serial PRIMARY KEY,
      project_id integer NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      name text NOT NULL,
      action_match text NOT NULL DEFAULT 'any',
      filter_match text NOT NULL DEFAULT 'all',
      triggers jsonb NOT NULL,
      filters jsonb NOT NULL,
      actions jsonb NOT NULL,
      frequency_minutes integer NOT NULL DEFAULT 30,
      enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX alert_rules_project ON alert_rules (project_id)');
  await knex.raw(`
    CREATE TABLE alert_fires (
      id bigserial PRIMARY KEY,
      rule_id integer NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
      issue_id integer NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
      change_id bigint NOT NULL,
      fired_at timestamptz NOT NULL DEFAULT now(),
      actions jsonb NOT NULL,
      UNIQUE (rule_id, change_id)
    )`);
  await knex.raw('CREATE INDEX alert_fires_rule_issue ON alert_fires (rule_id, issue_id, fired_at DESC)');
  await knex.raw(`
    CREATE TABLE alert_cursors (
      consumer text PRIMARY KEY,
      txid xid8 NOT NULL,
      change_id bigint NOT NULL,
      lease_owner text NULL,
      leased_until timestamptz NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
