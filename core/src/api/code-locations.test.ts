import assert from 'node:assert/strict';
import { describeEachDatabase } from '../testing/databases';
import {
  errorEvent,
  parseLinkHeader,
  seedAccount,
  startApiServer,
  storeEvents,
  type ApiServer,
} from './api-test-kit';

interface CodeLocationJson {
  issueId: string;
  shortId: string;
  title: string;
  level: string;
  status: string;
  permalink: string;
  count: number;
  userCount: number;
  events24h: number;
  release: string | null;
  environment: string;
  exceptions: { type: string | null; value: string | null }[];
  frames: { filename: string | null; absPath: string | null; function: string | null; lineNo: number }[];
}

describeEachDatabase('REST API code locations', (ctx) => {
  let api: ApiServer;
  let token: string;
  const base = '/api/0/organizations/acme/code-locations/';

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    token = seeded.token;
    await storeEvents(knex, seeded.projectId, [
      errorEvent({
        type: 'TypeError',
        value: 'a',
        functionName: 'checkout',
        user: { id: '1' },
        release: 'app@1',
      }),
      errorEvent({
        type: 'TypeError',
        value: 'a',
        functionName: 'checkout',
        user: { id: '2' },
        release: 'app@2',
      }),
      errorEvent({
        type: 'RangeError',
        value: 'b',
        functionName: 'pay',
        level: 'warning',
        environment: 'staging',
      }),
      errorEvent({ type: 'Error', value: 'c', functionName: 'ship' }),
    ]);
    api = await startApiServer(knex);
    const ship = ((await api.get(`${base}?level=error`, token)).body as CodeLocationJson[]).find((l) =>
      l.title.startsWith('Error'),
    );
    assert.equal(
      (await api.put(`/api/0/issues/${ship!.issueId}/`, { status: 'resolved' }, token)).status,
      200,
    );
  });

  after(async () => api?.close());

  it('answers per unresolved issue the in-app frames of its latest event and the counts a hover shows', async () => {
    const answer = await api.get(base, token);
    assert.equal(answer.status, 200);
    const locations = answer.body as CodeLocationJson[];
    assert.deepEqual(
      locations.map((l) => l.title),
      ['TypeError: a', 'RangeError: b'],
    );
    const [checkout] = locations;
    assert.equal(checkout.count, 2);
    assert.equal(checkout.userCount, 2);
    assert.equal(checkout.events24h, 2);
    assert.equal(checkout.release, 'app@2');
    assert.equal(checkout.environment, 'production');
    assert.equal(checkout.status, 'unresolved');
    assert.match(checkout.shortId, /^APP-\d+$/);
    assert.match(checkout.permalink, new RegExp(`/organizations/acme/issues/${checkout.issueId}/$`));
    assert.deepEqual(checkout.exceptions, [{ type: 'TypeError', value: 'a' }]);
    // The library frame is left out; only the in-app one remains.
    assert.deepEqual(
      checkout.frames.map((f) => [f.filename, f.absPath, f.function, f.lineNo]),
      [['src/checkout.js', '/app/src/checkout.js', 'checkout', 42]],
    );
  });

  it('filters by level, environment, status and issue id', async () => {
    const titles = async (query: string) =>
      ((await api.get(`${base}?${query}`, token)).body as CodeLocationJson[]).map((l) => l.title);
    assert.deepEqual(await titles('level=warning'), ['RangeError: b']);
    assert.deepEqual(await titles('environment=staging'), ['RangeError: b']);
    assert.deepEqual(await titles('status=resolved'), ['Error: c']);
    assert.deepEqual(await titles('status=resolved&status=unresolved&level=error'), [
      'TypeError: a',
      'Error: c',
    ]);
    const all = (await api.get(base, token)).body as CodeLocationJson[];
    assert.deepEqual(await titles(`id=${all[1].issueId}`), ['RangeError: b']);
    assert.deepEqual(await titles('project=999999'), []);
    assert.equal((await api.get(`${base}?level=loud`, token)).status, 400);
    assert.equal((await api.get(`${base}?limit=1001`, token)).status, 400);
  });

  it('pages with Link cursors, up to 1,000 a page', async () => {
    const first = await api.get(`${base}?limit=1`, token);
    const titles = (first.body as CodeLocationJson[]).map((l) => l.title);
    let next = parseLinkHeader(first.headers.get('link')).next;
    while (next.results) {
      const page = await api.get(next.url, token);
      titles.push(...(page.body as CodeLocationJson[]).map((l) => l.title));
      next = parseLinkHeader(page.headers.get('link')).next;
    }
    assert.deepEqual(titles, ['TypeError: a', 'RangeError: b']);
    assert.equal((await api.get(`${base}?limit=1000`, token)).status, 200);
  });

  it('is not answered to anyone outside the organization', async () => {
    assert.equal((await api.get(base)).status, 401);
    assert.equal((await api.get('/api/0/organizations/other/code-locations/', token)).status, 404);
  });
});
