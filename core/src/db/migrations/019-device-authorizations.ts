import type { Knex } from 'knex';

/**
 * Device sign-in (OAuth 2.0 Device Authorization Grant, RFC 8628): one row per request a device
 * made, from its user code to the token it received. Both codes are kept only as SHA-256 hashes,
 * like API tokens, so a database dump can neither approve a pending request nor collect a token.
 *
 * - `interval_seconds` grows by 5 on each `slow_down` and `last_polled_at` is what it is measured
 *   from, so every process answering the device's polls applies the same pace.
 * - `token_issued_at` marks the request used: a device code yields one token, once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE device_authorizations (
      id bigserial PRIMARY KEY,
      client_id text NOT NULL,
      device_code_hash text NOT NULL UNIQUE,
      user_code_hash text NOT NULL UNIQUE,
      requested_scopes text[] NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
      user_id integer REFERENCES users (id) ON DELETE CASCADE,
      granted_scopes text[],
      interval_seconds integer NOT NULL,
      last_polled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      decided_at timestamptz,
      token_issued_at timestamptz,
      CHECK ((status = 'pending') = (user_id IS NULL)),
      CHECK ((status = 'approved') = (granted_scopes IS NOT NULL))
    )`);
  await knex.raw('CREATE INDEX device_authorizations_expires_at ON device_authorizations (expires_at)');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
