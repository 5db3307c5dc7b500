import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { createLogger } from '../../logging';
import { errorEvent, seedAccount, startApiServer, storeEvents, type ApiServer } from '../../api/api-test-kit';
import { describeEachDatabase } from '../../testing/databases';
import { startTestTypesense, type TestTypesense } from '../../testing/typesense';
import { parseIssueSearch } from '../query/parse';
import { PostgresIssueSearch } from '../postgres/postgres-index';
import type { IssueSearchIndex } from '../port';
import { typesenseClient } from './client';
import { TypesenseIndexer } from './indexer';
import { reindexAllIssues } from './reindex';
import { TypesenseIssueSearch } from './typesense-index';

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger('debug', destination), lines };
}

describeEachDatabase('Typesense issue search: indexing from the change outbox', (ctx) => {
  let knex: Knex;
  let typesense: TestTypesense;
  let api: ApiServer;
  let token: string;
  let projectId: number;
  let organizationId: number;
  const indexers: TypesenseIndexer[] = [];

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'ts', project: 'web', email: 'owner@ts.io' });
    token = seeded.token;
    projectId = seeded.projectId;
    organizationId = (await knex('projects').where('id', projectId).first('organization_id')).organization_id;
    typesense = await startTestTypesense();
    api = await startApiServer(knex);
  });

  after(async () => {
    for (const indexer of indexers) await indexer.stop();
    await api?.close();
    await typesense?.close();
  });

  function indexer(log = capturedLogger().log): TypesenseIndexer {
    const made = new TypesenseIndexer({
      knex,
      client: typesenseClient(typesense),
      collection: typesense.collection,
      log,
    });
    indexers.push(made);
    return made;
  }

  /** Issue ids the adapter finds for a search, and how many searches Postgres answered. */
  function searcher(log = capturedLogger().log) {
    const postgres = new PostgresIssueSearch(knex);
    const counted = { postgres: 0 };
    const fallback: IssueSearchIndex = {
      search: (request) => {
        counted.postgres++;
        return postgres.search(request);
      },
    };
    const adapter = new TypesenseIssueSearch(
      knex,
      typesenseClient(typesense),
      typesense.collection,
      fallback,
      log,
    );
    const find = (query: string) =>
      adapter.search({
        organizationIds: [organizationId],
        projectIds: [projectId],
        expression: parseIssueSearch(query, { userId: -1, now: new Date() }),
        sort: 'date',
        limit: 25,
        offset: 0,
      });
    return { find, counted };
  }

  async function newIssue(functionName: string): Promise<number> {
    await storeEvents(knex, projectId, [
      errorEvent({ type: 'Error', value: `${functionName} failed`, functionName }),
    ]);
    const row = await knex('issues').whereRaw("metadata->>'function' = ?", [functionName]).first('id');
    return row.id as number;
  }

  it('indexes a new issue and a status change once reindexed, and a restarted indexer resumes from its cursor', async () => {
    const first = indexer();
    await first.drain(); // creates the cursor: changes from here on are indexed
    const id = await newIssue('alpha');
    // No collection before `faultline search reindex`: the indexer waits, Postgres answers.
    await assert.rejects(first.drain(), /no collection .* run `faultline search reindex`/);
    const before = searcher();
    assert.deepEqual(await before.find('is:unresolved alpha'), [id]);
    assert.equal(before.counted.postgres, 1);

    await reindexAllIssues({ knex, client: typesenseClient(typesense), collection: typesense.collection });
    assert.ok((await first.drain()) > 0, 'the waiting changes go now');
    const { find, counted } = searcher();
    assert.deepEqual(await find('is:unresolved alpha'), [id]);
    assert.equal(counted.postgres, 0, 'answered by Typesense');

    const answer = await api.put(`/api/0/projects/ts/web/issues/?id=${id}`, { status: 'resolved' }, token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    await first.drain();
    assert.deepEqual(await find('is:unresolved alpha'), []);
    assert.deepEqual(await find('is:resolved alpha'), [id]);
    await first.stop();

    // Changes made while no indexer runs are picked up by the next one, from the stored cursor.
    const later = await newIssue('beta');
    const second = indexer();
    assert.ok((await second.drain()) > 0);
    assert.deepEqual(await find('beta'), [later]);
    assert.equal(counted.postgres, 0, 'answered by Typesense');
    assert.equal(await second.drain(), 0, 'nothing is indexed twice once caught up');
    await second.stop(); // gives up the lease for the next test's indexer
  });

  it('answers from Postgres while Typesense is down, warning once, and catches up when it is back', async function () {
    if (!typesense.standIn) this.skip(); // a real server can't be stopped from here
    const standIn = typesense.standIn!;
    const { log, lines } = capturedLogger();
    const running = indexer(log);
    await running.drain();
    const { find, counted } = searcher(log);

    standIn.setDown(true);
    const id = await newIssue('gamma');
    await assert.rejects(running.drain(), 'the batch is not acknowledged while Typesense is down');
    assert.deepEqual(await find('gamma'), [id]);
    assert.deepEqual(await find('gamma level:error'), [id]);
    assert.equal(counted.postgres, 2);
    const warnings = lines.filter(
      (line) => line.level === 40 && /Typesense is unreachable; searches go to Postgres/.test(line.msg),
    );
    assert.equal(warnings.length, 1, 'one warning, not one per search');
    assert.ok(!JSON.stringify(lines).includes(standIn.apiKey), 'the API key never reaches the log');

    standIn.setDown(false);
    assert.ok((await running.drain()) > 0, 'the same batch goes again');
    assert.ok(standIn.documents(typesense.collection).has(String(id)));
    // Searches go straight to Postgres for a while after a failure; a fresh adapter asks Typesense.
    const fresh = searcher(log);
    assert.deepEqual(await fresh.find('gamma'), [id]);
    assert.equal(fresh.counted.postgres, 0);
  });

  it('logs a search it hands to Postgres at debug level, naming the shape', async () => {
    const { log, lines } = capturedLogger();
    const { find, counted } = searcher(log);
    await find('title:*failed*');
    assert.equal(counted.postgres, 1);
    assert.ok(lines.some((line) => line.level === 20 && /Typesense cannot express/.test(line.msg)));
  });
});
