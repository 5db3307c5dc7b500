import assert from 'node:assert/strict';
import { describeEachDatabase } from '../testing/databases';
import { waitFor } from '../testing/wait';
import { connectDatabase, DatabaseSignals } from '.';

describeEachDatabase('signals between the processes sharing a database', (ctx) => {
  it('an announcement reaches this process at once and, on Postgres, another one promptly', async function () {
    this.timeout(20_000);
    const here: (string | undefined)[] = [];
    const offHere = ctx.db.signals.on('jobs', (detail) => here.push(detail));
    const other =
      ctx.db.kind === 'postgres'
        ? connectDatabase({ kind: 'postgres', url: ctx.db.url!, poolMax: 1 })
        : undefined;
    const there: (string | undefined)[] = [];
    other?.signals.on('jobs', (detail) => there.push(detail));
    try {
      await other?.signals.ready();
      ctx.db.signals.announce('jobs', 'alert-action');
      assert.deepEqual(here, ['alert-action'], 'in-process handlers run at once');
      if (!other) return;
      const sentAt = Date.now();
      await waitFor('the other process to hear it', () => there.length > 0, 5000);
      assert.ok(Date.now() - sentAt < 5000);
      assert.deepEqual(there, ['alert-action']);
      // Its own announcements are not heard back through Postgres (its handlers already ran).
      other.signals.announce('jobs', 'alert-digest');
      await waitFor('this process to hear the other one', () => here.length === 2, 5000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(there, ['alert-action', 'alert-digest']);
      assert.deepEqual(here, ['alert-action', 'alert-digest']);
    } finally {
      offHere();
      await other?.close();
    }
  });

  it('runs after-commit work only once the outermost transaction commits, never after a rollback', async () => {
    const ran: string[] = [];
    await ctx.db.knex.transaction(async (trx) => {
      await trx.transaction(async (inner) => {
        DatabaseSignals.afterCommit(inner, () => ran.push('committed'));
      });
      assert.deepEqual(ran, [], 'not when the savepoint is released');
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ['committed']);
    await assert.rejects(
      ctx.db.knex.transaction(async (trx) => {
        DatabaseSignals.afterCommit(trx, () => ran.push('rolled back'));
        throw new Error('no');
      }),
      /no/,
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ['committed']);
  });
});
