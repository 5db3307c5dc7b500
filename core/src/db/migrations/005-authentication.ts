import type { Knex } from 'knex';

/**
 * What people need to sign in: sessions, a shared rate-limit ledger (login and token endpoints),
 * single-use password reset tokens, TOTP enrolments and recovery codes. Every secret is stored
 * hashed (session ids, reset tokens, recovery codes) or encrypted (TOTP seeds).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    // SHA-256 of the cookie value; the value itself only ever lives in the browser.
    t.text('token_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Absolute expiry; idle expiry is computed from last_seen_at.
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.text('ip');
    t.text('user_agent');
    t.boolean('two_factor_verified').notNullable().defaultTo(false);
    t.index(['user_id']);
  });
  // One row per counted hit; a limiter counts its bucket's rows for a key inside its window.
  await knex.schema.createTable('rate_limit_hits', (t) => {
    t.bigIncrements('id');
    t.text('bucket').notNullable();
    t.text('key').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['bucket', 'key', 'created_at']);
    t.index(['created_at']);
  });
  await knex.schema.createTable('password_reset_tokens', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['user_id']);
  });
  await knex.schema.createTable('user_totp', (t) => {
    t.integer('user_id').primary().references('users.id').onDelete('CASCADE');
    // AES-256-GCM ciphertext of the base32 seed, bound to the user id (see auth/secret-box.ts).
    t.text('secret_encrypted').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Null while enrolment awaits its first code; 2FA is on once set.
    t.timestamp('confirmed_at', { useTz: true });
    // Highest TOTP time step accepted so far; codes at or before it are replays.
    t.bigInteger('last_time_step');
  });
  await knex.schema.createTable('recovery_codes', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('code_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('used_at', { useTz: true });
    t.unique(['user_id', 'code_hash']);
  });
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
