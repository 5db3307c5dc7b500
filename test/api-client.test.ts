import assert from 'node:assert/strict';
import {
  createFaultlineClient,
  CursorExpiredError,
  ok,
  openChangeStream,
  paginate,
  type ChangeEvent,
  type ChangeStream,
  type FaultlineClient,
} from '@faultline/api-client';
import { errorEvent, storeEvents } from '../core/src/api/api-test-kit';
import { formatCursor, pruneChanges } from '../core/src/changes';
import { isPostgresReachable } from '../core/src/testing/databases';
import { parseTestDsn } from './support/envelopes';
import { startStack, type Stack } from './support/stack';

/**
 * The generated client (`api-client/`) against a real `faultline start` on Postgres: Sentry's
 * `Link` pagination, and the change stream resumed, reconnected and refused past retention.
 */
describe('api-client against a running server', function () {
  this.timeout(120_000);
  let stack: Stack | undefined;
  let client: FaultlineClient;
  const streams: ChangeStream[] = [];
  const organization = () => stack!.setup.organization;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    stack = await startStack('postgres', {
      prepare: async (knex, setup) =>
        storeEvents(
          knex,
          parseTestDsn(setup.dsn).projectId,
          ['A', 'B', 'C', 'D', 'E'].map((name) => errorEvent({ type: `${name}Error`, value: name })),
        ),
    });
    client = createFaultlineClient({ baseUrl: stack.baseUrl, token: stack.setup.token });
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  after(async () => stack?.dispose());

  const issueIds = async () =>
    (
      await ok(
        client.GET('/api/0/organizations/{organization}/issues/', {
          params: { path: { organization: organization() }, query: { query: '' } },
        }),
      )
    ).map((issue) => issue.id);

  const resolve = (issue: string, status: 'resolved' | 'unresolved') =>
    ok(client.PUT('/api/0/issues/{issue}/', { params: { path: { issue } }, body: { status } }));

  /** Reads a stream until `count` events came (or fails after `ms`). */
  const take = async (stream: ChangeStream, count: number, ms = 15_000): Promise<ChangeEvent[]> => {
    const got: ChangeEvent[] = [];
    const timer = setTimeout(() => stream.close(), ms);
    for await (const event of stream) {
      got.push(event);
      if (got.length >= count) break;
    }
    clearTimeout(timer);
    assert.equal(got.length, count, `expected ${count} changes, got ${JSON.stringify(got)}`);
    return got;
  };

  it('follows the Link header through every page', async () => {
    const pages: number[] = [];
    const titles: string[] = [];
    for await (const issue of paginate(async (cursor) => {
      const page = await client.GET('/api/0/organizations/{organization}/issues/', {
        params: { path: { organization: organization() }, query: { query: '', limit: 2, cursor } },
      });
      pages.push(page.data?.length ?? -1);
      return page;
    }))
      titles.push(issue.title);
    assert.deepEqual(pages, [2, 2, 1]);
    assert.deepEqual(titles.sort(), ['AError: A', 'BError: B', 'CError: C', 'DError: D', 'EError: E']);
  });

  it('turns an error answer into a FaultlineApiError with its status and code', async () => {
    await assert.rejects(
      ok(client.GET('/api/0/issues/{issue}/', { params: { path: { issue: '999999' } } })),
      { name: 'FaultlineApiError', status: 404, code: 'issue_not_found' },
    );
  });

  it('streams changes, and resumes after the last one with Last-Event-ID', async () => {
    const [first, second] = await issueIds();
    const stream = openChangeStream({
      baseUrl: stack!.baseUrl,
      token: stack!.setup.token,
      organization: organization(),
    });
    streams.push(stream);
    const reading = take(stream, 1);
    // The stream starts at the current end: give it a moment to connect before changing anything.
    await new Promise((r) => setTimeout(r, 500));
    await resolve(first, 'resolved');
    const [resolved] = await reading;
    assert.deepEqual([resolved.kind, resolved.issueId, resolved.surface], ['state_changed', first, 'api']);
    stream.close();

    // While no one listens: one change. A stream resumed from the last id gets exactly it.
    await resolve(second, 'resolved');
    const resumed = openChangeStream({
      baseUrl: stack!.baseUrl,
      token: stack!.setup.token,
      organization: organization(),
      lastEventId: stream.lastEventId,
    });
    streams.push(resumed);
    const [missed] = await take(resumed, 1);
    assert.deepEqual([missed.kind, missed.issueId], ['state_changed', second]);
  });

  it('reconnects with backoff when the server goes away, and misses nothing', async () => {
    const issueIdsBefore = await issueIds();
    const [first] = issueIdsBefore;
    const reconnects: number[] = [];
    const stream = openChangeStream({
      baseUrl: stack!.baseUrl,
      token: stack!.setup.token,
      organization: organization(),
      backoff: { initialMs: 100, maxMs: 1000 },
      onReconnect: ({ delayMs }) => reconnects.push(delayMs),
    });
    streams.push(stream);
    const changes = stream[Symbol.asyncIterator]();
    const firstChange = changes.next();
    await new Promise((r) => setTimeout(r, 500));
    await resolve(first, 'unresolved');
    assert.equal((await firstChange).value?.kind, 'state_changed');

    await stack!.server.stop();
    // Made while the server is down: written straight to the database, as another process would.
    await stack!.target.withKnex(async (knex) => {
      const { projectId } = parseTestDsn(stack!.setup.dsn);
      await storeEvents(knex, projectId, [errorEvent({ type: 'FError', value: 'while away' })]);
    });
    const nextChange = changes.next();
    await new Promise((r) => setTimeout(r, 400));
    await stack!.restart();
    const created = await nextChange;
    assert.equal(created.value?.kind, 'created');
    assert.ok(!issueIdsBefore.includes(created.value.issueId), 'the issue made while the server was down');
    assert.ok(reconnects.length >= 2, `reconnected ${JSON.stringify(reconnects)}`);
    assert.deepEqual(reconnects.slice(0, 2), [100, 200], 'the wait doubles');
  });

  it('surfaces 410 cursor_expired as a CursorExpiredError', async () => {
    const [first] = await issueIds();
    await resolve(first, 'resolved');
    const stale = await stack!.target.withKnex(async (knex) => {
      const row: { txid: string; id: string } = await knex('issue_changes')
        .orderBy('id', 'asc')
        .first(knex.raw('txid::text as txid'), knex.raw('id::text as id'));
      // The oldest change's cursor: resuming after it needs the ones pruned below.
      await knex('issue_changes').update({ created_at: new Date(Date.now() - 100 * 86_400_000) });
      await pruneChanges(knex, new Date(Date.now() - 90 * 86_400_000));
      return formatCursor(row);
    });
    const stream = openChangeStream({
      baseUrl: stack!.baseUrl,
      token: stack!.setup.token,
      organization: organization(),
      lastEventId: stale,
    });
    streams.push(stream);
    await assert.rejects(
      (async () => {
        for await (const event of stream) assert.fail(`no change expected, got ${JSON.stringify(event)}`);
      })(),
      (error: unknown) =>
        error instanceof CursorExpiredError && error.status === 410 && error.code === 'cursor_expired',
    );
  });
});
