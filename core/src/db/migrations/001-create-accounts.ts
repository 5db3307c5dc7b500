import type { Knex } from 'knex';

/** Organizations, teams, projects and the people and credentials that reach them. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organizations', (t) => {
    t.increments('id');
    t.text('slug').notNullable().unique();
    t.text('name').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('teams', (t) => {
    t.increments('id');
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('slug').notNullable();
    t.text('name').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['organization_id', 'slug']);
  });
  await knex.schema.createTable('projects', (t) => {
    t.increments('id');
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('slug').notNullable();
    t.text('name').notNullable();
    t.text('platform');
    // Issues get short ids PROJ-1, PROJ-2… from this per-project counter.
    t.integer('next_short_id').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['organization_id', 'slug']);
  });
  await knex.schema.createTable('project_teams', (t) => {
    t.integer('project_id').notNullable().references('projects.id').onDelete('CASCADE');
    t.integer('team_id').notNullable().references('teams.id').onDelete('CASCADE');
    t.primary(['project_id', 'team_id']);
  });
  await knex.schema.createTable('project_keys', (t) => {
    t.increments('id');
    t.integer('project_id').notNullable().references('projects.id').onDelete('CASCADE');
    t.text('label').notNullable().defaultTo('Default');
    t.text('public_key').notNullable().unique();
    t.text('secret_key').notNullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    // Per-key rate limit: at most rate_limit_count events per rate_limit_window seconds (null = default).
    t.integer('rate_limit_count');
    t.integer('rate_limit_window');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('email').notNullable().unique();
    t.text('name').notNullable().defaultTo('');
    t.text('password_hash');
    t.boolean('is_superuser').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('organization_members', (t) => {
    t.increments('id');
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('role').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['organization_id', 'user_id']);
  });
  await knex.schema.createTable('team_members', (t) => {
    t.integer('team_id').notNullable().references('teams.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.primary(['team_id', 'user_id']);
  });
  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('name').notNullable();
    // Only a SHA-256 of the token is kept; the token itself is shown once.
    t.text('token_hash').notNullable().unique();
    t.text('token_last_characters').notNullable();
    t.specificType('scopes', 'text[]').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true });
  });
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
