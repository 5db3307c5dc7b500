import assert from 'node:assert/strict';
import { describeEachDatabase } from '../testing/databases';
import { PostgresKeyValueStorage } from './storage';

describeEachDatabase('plugin key-value storage', (ctx) => {
  it('says whether delete removed the key, so a delete can serve as a one-time claim', async () => {
    const storage = new PostgresKeyValueStorage(ctx.db.knex, 'storage-test');
    await storage.set('state:1', { user: '7' });
    assert.equal(await storage.delete('state:1'), true);
    assert.equal(await storage.delete('state:1'), false);
    assert.equal(await storage.get('state:1'), undefined);
    // Another plugin's key of the same name is not this plugin's to delete.
    await new PostgresKeyValueStorage(ctx.db.knex, 'other-plugin').set('state:2', 1);
    assert.equal(await storage.delete('state:2'), false);
  });
});
