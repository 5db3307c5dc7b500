import assert from 'node:assert/strict';
import { migrateToLatest, EventPartitions } from './index';
import { describeEachDatabase } from '../testing/databases';

describeEachDatabase('migrations', (ctx) => {
  it('are applied once and re-running them is a no-op', async () => {
    assert.deepEqual(await migrateToLatest(ctx.db.knex), []);
    const { rows } = await ctx.db.knex.raw<{ rows: { n: number }[] }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('issues','events','raw_events')`,
    );
    assert.equal(rows[0].n, 3);
  });

  it('create daily event partitions and drop the ones past retention', async () => {
    const partitions = new EventPartitions(ctx.db.knex);
    const now = new Date('2026-11-24T12:00:00Z');
    await partitions.ensureFor([now, new Date('2026-11-01T03:00:00Z'), new Date('2026-11-01T23:00:00Z')]);
    const dropped = await partitions.dropOlderThan(10, now);
    assert.deepEqual(dropped, ['events_20261101']);
    const { rows } = await ctx.db.knex.raw<{ rows: { relname: string }[] }>(
      `SELECT relname FROM pg_class WHERE relname LIKE 'events_2026%' AND relkind = 'r' ORDER BY relname`,
    );
    assert.deepEqual(
      rows.map((r) => r.relname),
      ['events_20261124'],
    );
  });
});
