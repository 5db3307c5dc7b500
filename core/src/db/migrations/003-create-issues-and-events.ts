import type { Knex } from 'knex';

/** Issues (groups of events), the fingerprint hashes that point at them, and the events themselves. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('issues', (t) => {
    t.increments('id');
    t.integer('project_id').notNullable().references('projects.id').onDelete('CASCADE');
    t.integer('short_id').notNullable();
    t.text('type').notNullable();
    t.text('title').notNullable();
    t.text('culprit').notNullable();
    t.json('metadata').notNullable();
    t.text('level').notNullable();
    t.text('platform').notNullable();
    t.text('logger');
    t.text('status').notNullable().defaultTo('unresolved');
    t.text('substatus');
    t.boolean('is_regression').notNullable().defaultTo(false);
    t.boolean('is_unhandled').notNullable().defaultTo(false);
    t.timestamp('first_seen', { useTz: true }).notNullable();
    t.timestamp('last_seen', { useTz: true }).notNullable();
    t.integer('times_seen').notNullable().defaultTo(0);
    t.integer('user_count').notNullable().defaultTo(0);
    t.text('first_release');
    t.timestamp('resolved_at', { useTz: true });
    t.integer('assigned_user_id').references('users.id').onDelete('SET NULL');
    t.integer('assigned_team_id').references('teams.id').onDelete('SET NULL');
    t.unique(['project_id', 'short_id']);
    t.index(['project_id', 'last_seen']);
  });
  await knex.schema.createTable('group_hashes', (t) => {
    t.integer('project_id').notNullable();
    t.text('hash').notNullable();
    t.integer('issue_id').notNullable().references('issues.id').onDelete('CASCADE');
    t.text('grouping_version').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['project_id', 'hash']);
    t.index(['issue_id']);
  });
  await knex.schema.createTable('issue_tag_values', (t) => {
    t.integer('issue_id').notNullable().references('issues.id').onDelete('CASCADE');
    t.text('key').notNullable();
    t.text('value').notNullable();
    t.integer('times_seen').notNullable();
    t.timestamp('first_seen', { useTz: true }).notNullable();
    t.timestamp('last_seen', { useTz: true }).notNullable();
    t.primary(['issue_id', 'key', 'value']);
  });
  // Distinct users per issue, so `userCount` counts each user once.
  await knex.schema.createTable('issue_users', (t) => {
    t.integer('issue_id').notNullable().references('issues.id').onDelete('CASCADE');
    t.text('user_key').notNullable();
    t.primary(['issue_id', 'user_key']);
  });
  // Events are range-partitioned by day of arrival so retention drops whole partitions.
  await knex.raw(`
    CREATE TABLE events (
      project_id integer NOT NULL,
      issue_id integer NOT NULL,
      event_id text NOT NULL,
      received_at timestamptz NOT NULL,
      "timestamp" timestamptz NOT NULL,
      level text NOT NULL,
      environment text NOT NULL,
      release text,
      title text NOT NULL,
      message text NOT NULL,
      user_key text,
      data json NOT NULL
    ) PARTITION BY RANGE (received_at)`);
  await knex.raw('CREATE INDEX events_issue_received ON events (issue_id, received_at DESC)');
  await knex.raw('CREATE INDEX events_project_event ON events (project_id, event_id)');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
