import type { Knex } from 'knex';

/**
 * What the request path writes. `raw_events` is the pipeline's queue: workers claim rows with
 * FOR UPDATE SKIP LOCKED and delete them in the transaction that stores the processed event, so an
 * acknowledged event is either still here or already processed. `stored_items` keeps the other item
 * types (sessions, transactions, check-ins, attachments…) raw for later features.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('raw_events', (t) => {
    t.bigIncrements('id');
    t.integer('project_id').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.text('event_id');
    t.float('sent_at', 53);
    t.text('client_ip');
    t.text('payload').notNullable();
  });
  await knex.schema.createTable('stored_items', (t) => {
    t.bigIncrements('id');
    t.integer('project_id').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.text('item_type').notNullable();
    t.text('event_id');
    t.json('item_header').notNullable();
    t.binary('payload').notNullable();
    t.index(['project_id', 'item_type', 'received_at']);
  });
  // Re-sent events (same project + event id) are recognised here and not counted twice.
  await knex.schema.createTable('event_ids_seen', (t) => {
    t.integer('project_id').notNullable();
    t.text('event_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['project_id', 'event_id']);
    t.index(['created_at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('Migrations only move forward');
}
