import assert from 'node:assert/strict';
import pino from 'pino';
import { describeEachDatabase } from '../testing/databases';
import { JobQueue } from './job-queue';
import { waitFor } from '../testing/wait';

const silent = pino({ level: 'silent' });

describeEachDatabase('job queue (pg-boss on our database)', (ctx) => {
  let queue: JobQueue;

  before(async function () {
    this.timeout(30_000);
    queue = await JobQueue.start(ctx.db.knex, silent, { maintenance: false });
  });
  after(async () => queue?.stop());

  it('retries a failing job with backoff until it succeeds', async function () {
    this.timeout(30_000);
    await queue.define('test-retry', { retryLimit: 3, retryDelaySeconds: 1, expireInSeconds: 5 });
    const attempts: number[] = [];
    await queue.work<{ n: number }>('test-retry', async (data, job) => {
      attempts.push(job.retryCount);
      assert.equal(data.n, 7);
      if (job.retryCount < 1) throw new Error('transient');
    });
    await queue.send('test-retry', { n: 7 });
    await waitFor(
      'the retried job to complete',
      async () => (await queue.counts('test-retry')).completed === 1,
    );
    assert.deepEqual(attempts, [0, 1]);
  });

  it('enqueues inside a transaction only if it commits', async function () {
    this.timeout(30_000);
    await queue.define('test-trx');
    await ctx.db.knex
      .transaction(async (trx) => {
        await queue.send('test-trx', { keep: false }, { trx });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await ctx.db.knex.transaction(async (trx) => {
      await queue.send('test-trx', { keep: true }, { trx });
    });
    const seen: boolean[] = [];
    await queue.work<{ keep: boolean }>('test-trx', async (data) => void seen.push(data.keep));
    await waitFor('the committed job to run', () => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 700));
    assert.deepEqual(seen, [true]);
  });

  it('times out a handler that hangs, and retries it', async function () {
    this.timeout(30_000);
    await queue.define('test-hang', { retryLimit: 1, retryDelaySeconds: 1, expireInSeconds: 1 });
    let calls = 0;
    await queue.work('test-hang', async () => {
      calls += 1;
      if (calls === 1) await new Promise(() => undefined);
    });
    await queue.send('test-hang', {});
    await waitFor(
      'the job after the hang to complete',
      async () => (await queue.counts('test-hang')).completed === 1,
    );
    assert.equal(calls, 2);
  });
});

describeEachDatabase('job queue database port', (ctx) => {
  it('leaves no aborted transaction on a pooled connection when a script fails half-way', async () => {
    const { knexDb } = await import('./db-adapter');
    const db = knexDb(ctx.db.knex);
    await assert.rejects(db.executeSql('BEGIN; SELECT 1; SELECT * FROM no_such_table; COMMIT;', []));
    // The pool's connections must all still work (Postgres: one of them held the aborted transaction).
    for (let i = 0; i < 6; i++) {
      const { rows } = await db.executeSql('SELECT $1::int AS n', [i]);
      assert.deepEqual(rows, [{ n: i }]);
      assert.deepEqual((await ctx.db.knex.raw('SELECT 1 AS one')).rows, [{ one: 1 }]);
    }
  });
});
