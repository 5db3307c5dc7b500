import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connectDatabase, migrateToLatest, EventPartitions } from './index';
import { migrationSource } from './migrations';
import { createPostgresDatabase, describeEachDatabase, isPostgresReachable } from '../testing/databases';

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

describe('migration 007 (hash project key secrets)', () => {
  for (const kind of ['embedded', 'postgres'] as const) {
    it(`replaces existing clear secrets by their SHA-256 [${kind}]`, async function () {
      if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
      const created = kind === 'postgres' ? await createPostgresDatabase() : undefined;
      const db = created
        ? connectDatabase({ kind: 'postgres', url: created.url, poolMax: 2 })
        : connectDatabase({ kind: 'embedded', dataDir: null });
      try {
        const before = (await migrationSource.getMigrations([])).filter((name) => name < '007');
        for (let i = 0; i < before.length; i++) await db.knex.migrate.up({ migrationSource });
        const [org] = await db.knex('organizations').insert({ slug: 'acme', name: 'acme' }).returning('id');
        const [project] = await db
          .knex('projects')
          .insert({ organization_id: (org as { id: number }).id, slug: 'app', name: 'app' })
          .returning('id');
        const secret = 'a1'.repeat(16);
        await db.knex('project_keys').insert({
          project_id: (project as { id: number }).id,
          public_key: 'b'.repeat(32),
          secret_key: secret,
        });
        assert.equal((await migrateToLatest(db.knex))[0], '007-hash-project-key-secrets');
        const row = await db.knex('project_keys').first<Record<string, unknown>>();
        assert.equal(row.secret_key_hash, createHash('sha256').update(secret).digest('hex'));
        assert.ok(!('secret_key' in row));
      } finally {
        await db.close();
        await created?.drop();
      }
    });
  }
});

describeEachDatabase('event payload compression', (ctx) => {
  it('uses lz4 where the server offers it, and the default elsewhere', async () => {
    const offered = await ctx.db.knex.raw<{ rows: { lz4: boolean }[] }>(
      `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
    );
    await new EventPartitions(ctx.db.knex).ensureFor([new Date()]);
    const { rows } = await ctx.db.knex.raw<{ rows: { table: string; compression: string }[] }>(
      `SELECT c.relname AS table, a.attcompression::text AS compression
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE (c.relname IN ('raw_events', 'events') OR c.relname LIKE 'events_2%')
          AND c.relkind IN ('r', 'p') AND a.attname IN ('payload', 'data')`,
    );
    const expected = offered.rows[0].lz4 ? 'l' : '';
    assert.ok(rows.length >= 3, JSON.stringify(rows));
    for (const row of rows) assert.equal(row.compression, expected, `${row.table}: ${JSON.stringify(rows)}`);
  });
});
