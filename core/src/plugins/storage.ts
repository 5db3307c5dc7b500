import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';
import type { KeyValueStorage } from '@faultline/plugin-sdk';

/**
 * The pipeline transaction a hook runs inside, if any. Storage calls made by `processEvent` go through
 * it: they commit with the batch, and on PGlite (one connection, held by the batch) they could not
 * run at all otherwise.
 */
export const hookTransaction = new AsyncLocalStorage<Knex.Transaction>();

/** `coreServices.storage`: one plugin's rows of `plugin_storage`. */
export class PostgresKeyValueStorage implements KeyValueStorage {
  constructor(
    private readonly root: Knex,
    private readonly pluginId: string,
  ) {}

  private get knex(): Knex {
    return hookTransaction.getStore() ?? this.root;
  }

  async get<V = unknown>(key: string): Promise<V | undefined> {
    const row = await this.knex('plugin_storage')
      .where({ plugin_id: this.pluginId, key })
      .first<{ value: V } | undefined>('value');
    return row?.value;
  }

  async set(key: string, value: unknown): Promise<void> {
    if (value === undefined)
      throw new TypeError('storage.set needs a JSON value; use delete() to remove a key');
    await this.knex('plugin_storage')
      .insert({ plugin_id: this.pluginId, key, value: JSON.stringify(value), updated_at: new Date() })
      .onConflict(['plugin_id', 'key'])
      .merge(['value', 'updated_at']);
  }

  async setIfAbsent(key: string, value: unknown): Promise<boolean> {
    if (value === undefined) throw new TypeError('storage.setIfAbsent needs a JSON value');
    const inserted = await this.knex('plugin_storage')
      .insert({ plugin_id: this.pluginId, key, value: JSON.stringify(value), updated_at: new Date() })
      .onConflict(['plugin_id', 'key'])
      .ignore()
      .returning('key');
    return inserted.length > 0;
  }

  async delete(key: string): Promise<boolean> {
    // The rows deleted, not the count: the embedded database's driver reports no count for a delete.
    const deleted: { key: string }[] = await this.knex('plugin_storage')
      .where({ plugin_id: this.pluginId, key })
      .delete()
      .returning('key');
    return deleted.length > 0;
  }

  async keys(prefix = ''): Promise<string[]> {
    const rows = await this.knex('plugin_storage')
      .where({ plugin_id: this.pluginId })
      .andWhereRaw('starts_with(key, ?)', [prefix])
      .orderBy('key')
      .select<{ key: string }[]>('key');
    return rows.map((r) => r.key);
  }
}
