import type { Knex } from 'knex';

/**
 * An issue's activity reads the audit entries naming the issue (`target_type`, `target_id`), newest
 * first; without this index that is a scan of the organization's whole audit log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'CREATE INDEX audit_log_by_target ON audit_log (organization_id, target_type, target_id, id DESC)',
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
