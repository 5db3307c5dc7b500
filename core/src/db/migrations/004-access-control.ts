import type { Knex } from 'knex';

/**
 * Access control: team roles, the organization's 2FA requirement, invitations, organization-level
 * service tokens and the audit log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.boolean('require_2fa').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('team_members', (t) => {
    t.text('role').notNullable().defaultTo('contributor');
  });
  // A token belongs to a user (user_id) or, as a service token for CI and the Slack app, to one
  // organization (organization_id, user_id null). created_by_user_id only says who minted it.
  await knex.schema.alterTable('api_tokens', (t) => {
    t.integer('organization_id').references('organizations.id').onDelete('CASCADE');
    t.integer('created_by_user_id').references('users.id').onDelete('SET NULL');
  });
  await knex.raw('ALTER TABLE api_tokens ALTER COLUMN user_id DROP NOT NULL');
  await knex.raw(
    'ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_owner CHECK ((user_id IS NULL) <> (organization_id IS NULL))',
  );
  await knex.schema.createTable('organization_invites', (t) => {
    t.increments('id');
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('email').notNullable();
    t.text('role').notNullable();
    // Only a SHA-256 of the invitation token is kept; the link is shown once.
    t.text('token_hash').notNullable().unique();
    t.integer('invited_by_user_id').references('users.id').onDelete('SET NULL');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    // Who: a user, a token, or both; the email is kept so the entry survives the user's removal.
    t.integer('actor_user_id');
    t.text('actor_email');
    t.integer('actor_token_id');
    t.text('event').notNullable();
    t.text('target_type');
    t.text('target_id');
    t.jsonb('data').notNullable().defaultTo('{}');
    t.text('ip_address');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['organization_id', 'id']);
  });
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
