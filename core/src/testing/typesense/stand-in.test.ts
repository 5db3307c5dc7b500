import assert from 'node:assert/strict';
import { Client } from 'typesense';
import { startTypesenseStandIn, type TypesenseStandIn } from './stand-in';

/** The stand-in refuses what a Typesense server refuses, through the official client. */
describe('Typesense stand-in', () => {
  let standIn: TypesenseStandIn;
  let client: Client;

  before(async () => {
    standIn = await startTypesenseStandIn();
    client = new Client({
      nodes: [{ url: standIn.url }],
      apiKey: standIn.apiKey,
      numRetries: 0,
      logLevel: 'silent',
    });
    await client.collections().create({
      name: 'books',
      fields: [
        { name: 'title', type: 'string' },
        { name: 'year', type: 'int32', sort: true },
        { name: 'tags', type: 'string[]', facet: true },
      ],
      default_sorting_field: 'year',
    });
    await client
      .collections('books')
      .documents()
      .import(
        [
          { id: '1', title: 'Error handling in depth', year: 2001, tags: ['lang=c', 'a,b'] },
          { id: '2', title: 'Handling timeouts', year: 2010, tags: ['lang=go'] },
        ],
        { action: 'upsert' },
      );
  });

  after(async () => standIn?.close());

  const search = (params: Record<string, unknown>) =>
    client
      .collections('books')
      .documents()
      .search({ q: '*', query_by: 'title', ...params });

  it('filters, matches words with the last as a prefix, sorts and pages', async () => {
    const ids = async (params: Record<string, unknown>) =>
      (await search(params)).hits!.map((h) => (h.document as { id: string }).id);
    assert.deepEqual(await ids({ sort_by: 'year:desc' }), ['2', '1']);
    assert.deepEqual(await ids({ filter_by: 'tags:=[`a,b`]' }), ['1']);
    // As Typesense's filters: case and symbols don't count.
    assert.deepEqual(await ids({ filter_by: 'tags:=[`LANG.C`]' }), ['1']);
    assert.deepEqual(await ids({ filter_by: 'tags:!=[`lang=c`] && year:>=2000' }), ['2']);
    assert.deepEqual(await ids({ filter_by: '(year:<2005 || tags:=`lang=go`) && year:>0' }), ['2', '1']);
    assert.deepEqual(await ids({ q: 'handl', query_by: 'title' }), ['2', '1']);
    assert.deepEqual(await ids({ q: 'handling timeo', query_by: 'title' }), ['2']);
    assert.deepEqual(await ids({ q: 'in dep', query_by: 'title' }), ['1']);
    assert.deepEqual(await ids({ sort_by: 'year:asc', per_page: 1, page: 2 }), ['2']);
  });

  it('refuses what Typesense refuses', async () => {
    const refused = async (params: Record<string, unknown>, status: number, message: RegExp) => {
      await assert.rejects(search(params), (error: { httpStatus?: number; message: string }) => {
        assert.equal(error.httpStatus, status, error.message);
        assert.match(error.message, message);
        return true;
      });
    };
    await refused({ filter_by: 'author:=x' }, 404, /Could not find a filter field named `author`/);
    await refused({ filter_by: 'title:>3' }, 400, /invalid comparator/);
    await refused({ filter_by: 'year:=abc' }, 400, /Not a int32/);
    await refused({ filter_by: 'year:=1 &&' }, 400, /Could not parse the filter query/);
    await refused({ sort_by: 'title:desc' }, 404, /for sorting/);
    await refused({ q: 'x', query_by: 'nope' }, 404, /Could not find a field named `nope`/);
    await refused({ per_page: 251 }, 422, /Only upto 250 hits/);
    const stranger = new Client({
      nodes: [{ url: standIn.url }],
      apiKey: 'wrong',
      numRetries: 0,
      logLevel: 'silent',
    });
    await assert.rejects(stranger.collections('books').retrieve(), { httpStatus: 401 });
    await assert.rejects(client.collections('none').retrieve(), { httpStatus: 404 });
  });

  it('reports documents that do not fit the schema on import, line by line', async () => {
    const results = await client
      .collections('books')
      .documents()
      .import([{ id: '3', title: 'No year', tags: [] }] as never[], { action: 'upsert' })
      .catch((error: { importResults: { success: boolean; error?: string }[] }) => error.importResults);
    assert.equal(results[0].success, false);
    assert.match(results[0].error!, /Field `year` has been declared in the schema, but is not found/);
  });
});
