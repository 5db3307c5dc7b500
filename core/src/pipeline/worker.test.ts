import assert from 'node:assert/strict';
import pino from 'pino';
import type { Knex } from 'knex';
import { EventPartitions } from '../db';
import { bootstrap } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import { waitFor } from '../testing/wait';
import type { NormalizedEvent } from '../events';
import { deleteRelease, findRelease } from '../releases';
import { listUnprocessableEvents } from './unprocessable';
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

  it('takes queued events in arrival order, also where the queue id gains a digit', async () => {
    const [older, newer] = [nextId(), nextId()];
    // Ids 9,999,999 and 10,000,000: in text order the newer would be taken first.
    await ctx.db.knex('raw_events').insert(
      [older, newer].map((id, i) => ({
        id: 9_999_999 + i,
        project_id: projectId,
        received_at: new Date(),
        payload: JSON.stringify(errorEvent(id, { orderId: 17 })),
      })),
    );
    const oneAtATime = new PipelineWorker(ctx.db.knex, new EventPartitions(ctx.db.knex), silent, {
      batchSize: 1,
      concurrency: 1,
    });
    assert.equal(await oneAtATime.processBatch(), 1);
    const stored = await ctx.db.knex('events').whereIn('event_id', [older, newer]).pluck('event_id');
    assert.deepEqual(stored, [older]);
    assert.equal(await oneAtATime.drain(), 1);
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

  it('creates the releases events name; a batch naming only known ones issues no release statement', async () => {
    const knex = ctx.db.knex;
    const releaseStatements: string[] = [];
    const listen = (query: { sql: string }) => {
      if (/\b(releases|release_projects)\b/.test(query.sql)) releaseStatements.push(query.sql);
    };
    const store = async (versions: string[]) => {
      releaseStatements.length = 0;
      await enqueue(
        knex,
        projectId,
        versions.map((release, i) => errorEvent(nextId(), { orderId: 50 + i, release })),
      );
      await worker.drain();
    };
    const projectVersions = () =>
      knex('releases as r')
        .join('release_projects as rp', 'rp.release_id', 'r.id')
        .where('rp.project_id', projectId)
        .orderBy('r.version')
        .pluck('r.version');
    knex.on('query', listen);
    try {
      await store(['shop@1.0', 'shop@1.1', 'shop@1.0']);
      assert.equal(releaseStatements.length, 2, 'first sight: the release and its project, set-based');
      assert.deepEqual(await projectVersions(), ['shop@1.0', 'shop@1.1']);
      await store(['shop@1.1', 'shop@1.0']);
      assert.deepEqual(releaseStatements, [], 'every release named is known');
      await store(['shop@1.0', 'shop@2.0']);
      assert.equal(releaseStatements.length, 2, 'a new version is still created');
      assert.deepEqual(await projectVersions(), ['shop@1.0', 'shop@1.1', 'shop@2.0']);
      // Deleting forgets it, so the next event naming it recreates it.
      const organizationId = (await knex('projects').where('id', projectId).first()).organization_id;
      await deleteRelease(knex, await findRelease(knex, organizationId, 'shop@2.0'));
      await store(['shop@2.0']);
      assert.deepEqual(await projectVersions(), ['shop@1.0', 'shop@1.1', 'shop@2.0']);
    } finally {
      knex.removeListener('query', listen);
    }
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

  it('gathers a trickle into one batch, and an over-announced empty queue does not keep it spinning', async () => {
    const looping = new PipelineWorker(ctx.db.knex, new EventPartitions(ctx.db.knex), silent, {
      batchSize: 50,
      concurrency: 1,
      idlePollMs: 60_000,
      gather: { rows: 3, maxWaitMs: 5_000 },
    });
    looping.start();
    try {
      // start() claims at once; the rows below must come after that first (empty) claim, or it
      // takes the first of them on a loaded machine and the gathering isn't what is tested.
      await waitFor('the loop to sleep after its first claim', () => looping.idle, 5_000);
      const before = looping.processed;
      // Two rows announced: fewer than the three the loop waits for, so nothing is claimed yet.
      await enqueue(ctx.db.knex, projectId, [errorEvent(nextId(), { orderId: 21 })]);
      looping.wake(1);
      await enqueue(ctx.db.knex, projectId, [errorEvent(nextId(), { orderId: 22 })]);
      looping.wake(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(looping.processed, before, 'claimed before the batch had gathered');
      await enqueue(ctx.db.knex, projectId, [errorEvent(nextId(), { orderId: 23 })]);
      looping.wake(1);
      const until = Date.now() + 3_000;
      while (looping.processed < before + 3 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(looping.processed, before + 3);
      // Far more announced than queued (the queue is empty): the loop must go back to sleep, or it
      // claims an empty queue forever and, on PGlite, starves every timer of the process.
      looping.wake(1000);
      const timerFired = await Promise.race([
        new Promise((resolve) => setTimeout(() => resolve(true), 200)),
        new Promise((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
      ]);
      assert.equal(timerFired, true);
    } finally {
      await looping.stop();
    }
  });

  /** `{"a":{"a":…1…}}` nested `depth` deep, as text: building it as an object and stringifying overflows. */
  const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

  it('stores an event whose extra is nested 5,000 deep, trimmed, with the rest of its batch', async () => {
    const deepId = nextId();
    const payload = JSON.stringify(errorEvent(deepId, { orderId: 13 })).replace(
      /}$/,
      `,"extra":${deepJson(5000)}}`,
    );
    await ctx.db.knex('raw_events').insert({ project_id: projectId, received_at: new Date(), payload });
    const after = nextId();
    await enqueue(ctx.db.knex, projectId, [errorEvent(after, { orderId: 14 })]);
    assert.equal(await worker.drain(), 2);
    const stored = await ctx.db
      .knex('events')
      .where({ project_id: projectId })
      .whereIn('event_id', [deepId, after]);
    assert.equal(stored.length, 2);
    const deep = stored.find((row) => row.event_id === deepId);
    const data = (typeof deep.data === 'string' ? JSON.parse(deep.data) : deep.data) as Record<
      string,
      unknown
    >;
    assert.deepEqual(data.extra, { a: { a: { a: { a: { a: { a: null } } } } } });
    assert.equal(
      JSON.stringify(data._meta),
      '{"extra":{"a":{"a":{"a":{"a":{"a":{"a":{"":{"rem":[["!limit","x"]],"len":1}}}}}}}}}',
    );
  });

  /** A worker whose processEvent (the plugins' hook) hands back what `change` makes of the event. */
  const workerChanging = (change: (event: NormalizedEvent) => NormalizedEvent | null) =>
    new PipelineWorker(ctx.db.knex, new EventPartitions(ctx.db.knex), silent, {
      batchSize: 50,
      concurrency: 1,
      processEvent: (event) => Promise.resolve(change(event)),
    });

  it('sets aside an event it cannot serialize, with the reason, and stores the rest of the batch', async () => {
    const poisoned = nextId();
    const fine = [nextId(), nextId()];
    await enqueue(ctx.db.knex, projectId, [
      errorEvent(fine[0], { orderId: 21 }),
      errorEvent(poisoned, { orderId: 22 }),
      errorEvent(fine[1], { orderId: 23 }),
    ]);
    const deep = JSON.parse(deepJson(20_000)) as Record<string, unknown>;
    const processing = workerChanging((event) =>
      event.event_id === poisoned ? { ...event, extra: deep } : event,
    );
    assert.equal(await processing.drain(), 3);
    const stored = await ctx.db.knex('events').whereIn('event_id', [...fine, poisoned]);
    assert.deepEqual(stored.map((row) => row.event_id).sort(), [...fine].sort());
    const [kept] = await listUnprocessableEvents(ctx.db.knex, projectId, { limit: 1, offset: 0 });
    assert.equal(kept.eventId, null); // enqueued without an envelope id, like the store endpoint does
    assert.match(kept.reason, /RangeError: Maximum call stack size exceeded/);
  });

  it('redoes a batch that failed for a reason other than an outage one event at a time', async () => {
    const poisoned = nextId();
    const fine = nextId();
    await enqueue(ctx.db.knex, projectId, [
      errorEvent(poisoned, { orderId: 31 }),
      errorEvent(fine, { orderId: 32 }),
    ]);
    // An event id that isn't a string gets past preparing but fails the batch's store (a TypeError).
    const processing = workerChanging((event) =>
      event.event_id === poisoned ? ({ ...event, event_id: 42 } as unknown as NormalizedEvent) : event,
    );
    assert.equal(await processing.drain(), 2);
    assert.equal((await ctx.db.knex('events').where({ event_id: fine })).length, 1);
    const [kept] = await listUnprocessableEvents(ctx.db.knex, projectId, { limit: 1, offset: 0 });
    assert.match(kept.reason, /TypeError/);
    assert.equal(Number((await ctx.db.knex('raw_events').count({ n: '*' }))[0].n), 0);
  });
});
