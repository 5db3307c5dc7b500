import type { Knex } from 'knex';

/**
 * Single sign-on through OpenID Connect: one provider per organization (client secret encrypted),
 * the identities it vouched for (issuer + subject ↔ user), and the short-lived state of logins in
 * progress (state hashed; PKCE verifier encrypted).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sso_providers', (t) => {
    t.integer('organization_id').primary().references('organizations.id').onDelete('CASCADE');
    t.text('issuer').notNullable();
    t.text('client_id').notNullable();
    // AES-256-GCM, bound to the organization id (see auth/secret-box.ts).
    t.text('client_secret_encrypted').notNullable();
    // Empty: any verified email may sign in.
    t.specificType('allowed_domains', 'text[]').notNullable().defaultTo('{}');
    t.text('default_role').notNullable().defaultTo('member');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('sso_identities', (t) => {
    t.increments('id');
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('issuer').notNullable();
    t.text('subject').notNullable();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_login_at', { useTz: true });
    t.unique(['organization_id', 'issuer', 'subject']);
    t.index(['user_id']);
  });
  await knex.schema.createTable('sso_login_attempts', (t) => {
    // SHA-256 of the state parameter; the state itself travels only in the URL and a cookie.
    t.text('state_hash').primary();
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('CASCADE');
    t.text('code_verifier_encrypted').notNullable();
    t.text('nonce').notNullable();
    t.text('next_path');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
