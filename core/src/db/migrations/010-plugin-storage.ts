import type { Knex } from 'knex';

/** Namespaced key-value storage for plugins (`coreServices.storage`): JSON values per plugin and key. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE plugin_storage (
      plugin_id text NOT NULL,
      key text NOT NULL,
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (plugin_id, key)
    )`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
