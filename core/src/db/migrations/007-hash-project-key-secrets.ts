import type { Knex } from 'knex';

/**
 * Project key secrets are kept only as SHA-256 hashes (hex), like API tokens: the secret is shown
 * once, in the answer that creates the key, and never again.
 *
 * Ingestion never needed the clear secret: the secret part of a DSN (`https://public:secret@…`) is
 * deprecated in Sentry's protocol and unchecked, so SDKs authenticate with the public key alone.
 * Existing rows are hashed in SQL (`sha256()` is built into Postgres 11+ and PGlite, no extension);
 * the result equals `hashToken(secret)` in Node. The column is renamed so nothing can read a hash
 * as if it were the secret.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `UPDATE project_keys SET secret_key = encode(sha256(convert_to(secret_key, 'UTF8')), 'hex')`,
  );
  await knex.schema.alterTable('project_keys', (t) => {
    t.renameColumn('secret_key', 'secret_key_hash');
  });
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
