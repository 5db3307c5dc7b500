import assert from 'node:assert/strict';
import pino from 'pino';
import type { Knex } from 'knex';
import { EventPartitions } from '../db';
import { bootstrap } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import { PipelineWorker } from './worker';

const silent = pino({ level: 'silent' });

function errorEvent(
  id: string,
  opts: { orderId: number; fn?: string; line?: number; user?: string; release?: string },
) {
  return {
    event_id: id,
    timestamp: Date.now() / 1000,
    platform: 'node',
    release: opts.release,
    user: opts.user ? { id: opts.user } : undefined,
    tags: { region: 'eu-west-1' },
    exception: {
      values: [
        {
          type: 'Error',
          value: `Order ${opts.orderId} not found`,
          mechanism: { type: 'generic', handled: true },
          stacktrace: {
            frames: [
              {
                filename: '/srv/app/checkout.js',
                function: 'orderTotal',
                lineno: 7,
                in_app: true,
                context_line: '  return findOrder(id).total;',
              },
              {
                filename: '/srv/app/inventory.js',
                function: opts.fn ?? 'findOrder',
                lineno: opts.line ?? 12,
                in_app: true,
                context_line: '  throw new Error(`Order ${id} not found`);',
              },
            ],
          },
        },
      ],
    },
  };
}

let counter = 0;
const nextId = () => (++counter).toString(16).padStart(32, '0');

async function enqueue(knex: Knex, projectId: number, payloads: object[]): Promise<void> {
  await knex('raw_events').insert(
    payloads.map((p) => ({
      project_id: projectId,
      received_at: new Date(),
      event_id: null,
      payload: JSON.stringify(p),
    })),
  );
}

describeEachDatabase('pipeline worker', (ctx) => {
  let projectId: number;
  let worker: PipelineWorker;

  before(async () => {
    const setup = await bootstrap(ctx.db.knex, {
      organization: 'acme',
      team: 'core',
      project: 'shop',
      platform: 'node',
      email: 'owner@example.com',
      publicUrl: 'http://127.0.0.1:8000',
    });
    projectId = setup.projectId;
    worker = new PipelineWorker(ctx.db.knex, new EventPartitions(ctx.db.knex), silent, {
      batchSize: 50,
      concurrency: 1,
    });
  });

  it('groups events by fingerprint into issues with counts, users, tags and short ids', async () => {
    const events = [
      errorEvent(nextId(), { orderId: 8123, user: 'u-1' }),
      errorEvent(nextId(), { orderId: 99, line: 40, user: 'u-2' }), // another deploy: other line, same issue
      errorEvent(nextId(), { orderId: 7, user: 'u-1' }),
      errorEvent(nextId(), { orderId: 1, fn: 'loadCart' }), // another function: another issue
    ];
    await enqueue(ctx.db.knex, projectId, events);
    assert.equal(await worker.drain(), 4);

    const issues = await ctx.db.knex('issues').where({ project_id: projectId }).orderBy('short_id');
    assert.equal(issues.length, 2);
    assert.equal(issues[0].title, 'Error: Order 8123 not found');
    assert.equal(issues[0].times_seen, 3);
    assert.equal(issues[0].user_count, 2);
    assert.equal(issues[0].short_id, 1);
    assert.equal(issues[1].times_seen, 1);
    assert.equal(issues[1].short_id, 2);
    const tags = await ctx.db.knex('issue_tag_values').where({ issue_id: issues[0].id, key: 'region' });
    assert.deepEqual(
      tags.map((t) => [t.value, t.times_seen]),
      [['eu-west-1', 3]],
    );
    assert.equal(Number((await ctx.db.knex('raw_events').count({ n: '*' }))[0].n), 0);
  });

  it('counts a re-sent event id once', async () => {
    const id = nextId();
    await enqueue(ctx.db.knex, projectId, [errorEvent(id, { orderId: 5 }), errorEvent(id, { orderId: 5 })]);
    await worker.drain();
    await enqueue(ctx.db.knex, projectId, [errorEvent(id, { orderId: 5 })]);
    await worker.drain();
    const stored = await ctx.db.knex('events').where({ project_id: projectId, event_id: id });
    assert.equal(stored.length, 1);
  });

  it('flags a resolved issue as regressed when a new event arrives', async () => {
    const issue = await ctx.db.knex('issues').where({ project_id: projectId, short_id: 2 }).first();
    await ctx.db
      .knex('issues')
      .where({ id: issue.id })
      .update({ status: 'resolved', resolved_at: new Date() });
    await enqueue(ctx.db.knex, projectId, [errorEvent(nextId(), { orderId: 3, fn: 'loadCart' })]);
    await worker.drain();
    const after = await ctx.db.knex('issues').where({ id: issue.id }).first();
    assert.equal(after.status, 'unresolved');
    assert.equal(after.substatus, 'regressed');
    assert.equal(after.is_regression, true);
    assert.equal(after.times_seen, 2);
  });

  it('keeps an unprocessable event raw instead of dropping it, and goes on', async () => {
    await ctx.db
      .knex('raw_events')
      .insert({ project_id: projectId, received_at: new Date(), payload: '[1,2]' });
    await enqueue(ctx.db.knex, projectId, [errorEvent(nextId(), { orderId: 11 })]);
    assert.equal(await worker.drain(), 2);
    const kept = await ctx.db.knex('stored_items').where({ item_type: 'event.unprocessable' });
    assert.equal(kept.length, 1);
  });
});
