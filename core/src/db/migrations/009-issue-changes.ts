import type { Knex } from 'knex';

/**
 * The outbox of what happened to issues, written in the same transaction as the change. `txid` is
 * the writing transaction's id: readers deliver a row only once every transaction that could still
 * commit an earlier row has ended, and order the stream by (txid, id) (see `changes/read.ts`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE issue_changes (
      id bigserial PRIMARY KEY,
      txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      organization_id int NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      project_id int NOT NULL,
      issue_id int NOT NULL,
      kind text NOT NULL CHECK (kind IN ('created', 'regressed', 'state_changed', 'assigned', 'commented', 'events_counted')),
      actor_user_id int NULL,
      surface text NOT NULL CHECK (surface IN ('api', 'slack', 'vscode', 'github', 'plugin', 'pipeline')),
      data json NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX issue_changes_stream ON issue_changes (organization_id, txid, id)');
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
