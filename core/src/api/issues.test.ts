import assert from 'node:assert/strict';
import { AccountsRepository } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import {
  errorEvent,
  parseLinkHeader,
  seedAccount,
  startApiServer,
  storeEvents,
  type ApiServer,
} from './api-test-kit';

interface IssueJson {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  permalink: string;
  logger: string | null;
  level: string;
  status: string;
  statusDetails: Record<string, unknown>;
  substatus: string | null;
  isPublic: boolean;
  platform: string;
  project: { id: string; name: string; slug: string; platform: string | null };
  type: string;
  metadata: Record<string, unknown>;
  numComments: number;
  assignedTo: { type: string; id: string; name: string; email?: string } | null;
  isBookmarked: boolean;
  isSubscribed: boolean;
  hasSeen: boolean;
  annotations: unknown[];
  isUnhandled: boolean;
  count: string;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  isRegression: boolean;
  stats?: Record<string, [number, number][]>;
  firstRelease?: { version: string } | null;
}

interface Detail {
  detail: string;
  code: string;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describeEachDatabase('REST API issue list, search and details', (ctx) => {
  let api: ApiServer;
  let token: string;
  let projectId: number;
  /** Issue ids by the function their events fail in. */
  const idOf: Record<string, string> = {};
  const titles = (answer: { body: unknown }) => (answer.body as IssueJson[]).map((i) => i.metadata.function);

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    token = seeded.token;
    projectId = seeded.projectId;
    // Oldest first: pay, legacy, render, checkout (each issue's events arrive together).
    const pay = (n: number) =>
      Array.from({ length: n }, () =>
        errorEvent({ type: 'Error', value: 'payment declined', functionName: 'pay', user: { id: '9' } }),
      );
    await storeEvents(knex, projectId, pay(2), 300);
    await storeEvents(
      knex,
      projectId,
      [errorEvent({ type: 'Error', value: 'deprecated call', functionName: 'legacy', level: 'info' })],
      200,
    );
    await storeEvents(
      knex,
      projectId,
      [
        errorEvent({
          type: 'RangeError',
          value: 'Invalid array length',
          functionName: 'render',
          level: 'warning',
          environment: 'staging',
        }),
      ],
      100,
    );
    await storeEvents(
      knex,
      projectId,
      ['1', '2', '1'].map((user) =>
        errorEvent({
          type: 'TypeError',
          value: 'cart is undefined',
          functionName: 'checkout',
          user: { id: user },
          release: 'app@1.0.0',
        }),
      ),
    );
    const rows: { id: number; metadata: { function: string } }[] = await knex('issues').select(
      'id',
      'metadata',
    );
    for (const row of rows) idOf[row.metadata.function] = String(row.id);
    await knex('issues')
      .where('id', idOf.pay)
      .update({ status: 'resolved', substatus: null, resolved_at: knex.fn.now() });
    await knex('issues')
      .where('id', idOf.legacy)
      .update({ status: 'ignored', substatus: 'archived_forever' });
    await knex('issues').where('id', idOf.checkout).update({ assigned_user_id: seeded.userId });
    api = await startApiServer(knex);
  });

  after(async () => api?.close());

  it("lists issues in Sentry's shape", async () => {
    const answer = await api.get('/api/0/projects/acme/app/issues/?query=', token);
    assert.equal(answer.status, 200);
    const issues = answer.body as IssueJson[];
    assert.equal(issues.length, 4);
    const checkout = issues.find((i) => i.id === idOf.checkout)!;
    assert.equal(checkout.shortId, 'APP-4');
    assert.equal(checkout.title, 'TypeError: cart is undefined');
    assert.match(checkout.culprit, /checkout/);
    assert.equal(checkout.permalink, `${api.url}/organizations/acme/issues/${checkout.id}/`);
    assert.equal(checkout.count, '3');
    assert.equal(checkout.userCount, 2);
    assert.match(checkout.firstSeen, ISO);
    assert.match(checkout.lastSeen, ISO);
    assert.ok(checkout.firstSeen < checkout.lastSeen);
    assert.equal(checkout.level, 'error');
    assert.equal(checkout.status, 'unresolved');
    assert.equal(checkout.substatus, 'new');
    assert.deepEqual(checkout.statusDetails, {});
    assert.equal(checkout.platform, 'javascript');
    assert.deepEqual(checkout.project, {
      id: String(projectId),
      name: 'app',
      slug: 'app',
      platform: 'javascript',
    });
    assert.equal(checkout.type, 'error');
    assert.equal(checkout.metadata.type, 'TypeError');
    assert.equal(checkout.metadata.value, 'cart is undefined');
    assert.equal(checkout.isUnhandled, true);
    assert.equal(checkout.isRegression, false);
    assert.deepEqual(
      [
        checkout.isPublic,
        checkout.isBookmarked,
        checkout.isSubscribed,
        checkout.hasSeen,
        checkout.numComments,
      ],
      [false, false, false, false, 0],
    );
    assert.deepEqual(checkout.annotations, []);
    assert.deepEqual(checkout.assignedTo, {
      type: 'user',
      id: checkout.assignedTo?.id,
      name: 'owner@acme.io',
      email: 'owner@acme.io',
    });
    const hourly = checkout.stats?.['24h'] ?? [];
    assert.equal(hourly.length, 24);
    assert.equal(
      hourly.reduce((sum, [, n]) => sum + n, 0),
      3,
    );
  });

  it('lists unresolved issues when no query is given, and every status for an empty query', async () => {
    assert.deepEqual(titles(await api.get('/api/0/projects/acme/app/issues/', token)), [
      'checkout',
      'render',
    ]);
    assert.deepEqual(titles(await api.get('/api/0/projects/acme/app/issues/?query=', token)), [
      'checkout',
      'render',
      'legacy',
      'pay',
    ]);
  });

  it('searches by status, level, environment and assignment', async () => {
    const search = async (query: string) =>
      titles(await api.get(`/api/0/projects/acme/app/issues/?query=${encodeURIComponent(query)}`, token));
    assert.deepEqual(await search('is:resolved'), ['pay']);
    assert.deepEqual(await search('is:ignored'), ['legacy']);
    assert.deepEqual(await search('is:archived'), ['legacy']);
    assert.deepEqual(await search('!is:unresolved'), ['legacy', 'pay']);
    assert.deepEqual(await search('level:warning'), ['render']);
    assert.deepEqual(await search('level:warning,info'), ['render', 'legacy']);
    assert.deepEqual(await search('!level:error'), ['render', 'legacy']);
    assert.deepEqual(await search('environment:staging'), ['render']);
    assert.deepEqual(await search('is:assigned'), ['checkout']);
    assert.deepEqual(await search('is:unassigned is:unresolved'), ['render']);
    assert.deepEqual(await search('assigned:me'), ['checkout']);
    assert.deepEqual(await search('assigned:OWNER@acme.io'), ['checkout']);
    assert.deepEqual(
      titles(await api.get('/api/0/projects/acme/app/issues/?query=&environment=staging', token)),
      ['render'],
    );
  });

  it('searches free text in title and culprit, case-insensitively, and short ids', async () => {
    const search = async (query: string) =>
      titles(await api.get(`/api/0/projects/acme/app/issues/?query=${encodeURIComponent(query)}`, token));
    assert.deepEqual(await search('CART is'), ['checkout']);
    assert.deepEqual(await search('src/pay'), ['pay']);
    assert.deepEqual(await search('"array length" level:warning'), ['render']);
    assert.deepEqual(await search('app-2'), ['legacy']);
    assert.deepEqual(await search('100%'), []);
  });

  it('sorts like Sentry: date, new, freq and user, ties by id', async () => {
    const sorted = async (sort: string) =>
      titles(await api.get(`/api/0/projects/acme/app/issues/?query=&sort=${sort}`, token));
    assert.deepEqual(await sorted('date'), ['checkout', 'render', 'legacy', 'pay']);
    assert.deepEqual(await sorted('new'), ['checkout', 'render', 'legacy', 'pay']);
    assert.deepEqual(await sorted('freq'), ['checkout', 'pay', 'render', 'legacy']);
    assert.deepEqual(await sorted('user'), ['checkout', 'pay', 'render', 'legacy']);
  });

  it('refuses unknown search keys, sorts and limits with a 400 naming them', async () => {
    const bad = async (query: string, pattern: RegExp) => {
      const answer = await api.get(`/api/0/projects/acme/app/issues/?${query}`, token);
      assert.equal(answer.status, 400, query);
      assert.match((answer.body as Detail).detail, pattern, query);
    };
    await bad('query=lvl%3Aerror', /unknown key "lvl"; did you mean "level"\?/);
    await bad('query=is%3Afavourite', /is:favourite/);
    await bad('query=bookmarks%3Ame', /"bookmarks" is not supported/);
    await bad('sort=trends', /`sort`/);
    await bad('limit=0', /`limit`/);
    await bad('limit=101', /`limit`/);
    await bad('cursor=next', /`cursor`/);
    await bad('statsPeriod=1y', /`statsPeriod`/);
  });

  it("lists an organization's issues, optionally for some projects", async () => {
    const all = await api.get('/api/0/organizations/acme/issues/?query=is:unresolved', token);
    assert.deepEqual(titles(all), ['checkout', 'render']);
    const one = await api.get(
      `/api/0/organizations/acme/issues/?query=&project=${projectId}&statsPeriod=`,
      token,
    );
    assert.equal((one.body as IssueJson[]).length, 4);
    assert.equal((one.body as IssueJson[])[0].stats, undefined);
    const none = await api.get('/api/0/organizations/acme/issues/?query=&project=999', token);
    assert.deepEqual(none.body, []);
  });

  it('shows one issue by id or short id, with first release and stats', async () => {
    const byId = await api.get(`/api/0/issues/${idOf.checkout}/`, token);
    assert.equal(byId.status, 200);
    const issue = byId.body as IssueJson;
    assert.equal(issue.shortId, 'APP-4');
    assert.equal(issue.count, '3');
    assert.deepEqual(issue.firstRelease, { version: 'app@1.0.0' });
    assert.equal(issue.stats?.['24h'].length, 24);
    assert.equal(issue.stats?.['30d'].length, 30);
    const byShortId = (await api.get('/api/0/issues/APP-4/', token)).body as IssueJson;
    assert.equal(byShortId.id, issue.id);
    const lowerCase = (await api.get('/api/0/issues/app-4/', token)).body as IssueJson;
    assert.equal(lowerCase.id, issue.id);
    const inOrganization = (await api.get(`/api/0/organizations/acme/issues/${issue.id}/`, token))
      .body as IssueJson;
    assert.equal(inOrganization.id, issue.id);
    assert.equal((await api.get('/api/0/issues/APP-99/', token)).status, 404);
    assert.equal((await api.get('/api/0/issues/not-an-id/', token)).status, 404);
  });

  it('resolves a short id the way Sentry does', async () => {
    const answer = await api.get('/api/0/organizations/acme/shortids/APP-1/', token);
    assert.equal(answer.status, 200);
    const body = answer.body as {
      organizationSlug: string;
      projectSlug: string;
      groupId: string;
      shortId: string;
      group: IssueJson;
    };
    assert.deepEqual(
      [body.organizationSlug, body.projectSlug, body.groupId, body.shortId, body.group.id],
      ['acme', 'app', idOf.pay, 'APP-1', idOf.pay],
    );
  });
});

describeEachDatabase('REST API issue pagination', (ctx) => {
  let api: ApiServer;
  let token: string;
  const ISSUES = 23;

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    token = seeded.token;
    const payloads = Array.from({ length: ISSUES }, (_, i) =>
      errorEvent({ type: 'Error', value: `failure ${i}`, functionName: `step${i}` }),
    );
    await storeEvents(knex, seeded.projectId, payloads);
    api = await startApiServer(knex);
  });

  after(async () => api?.close());

  /** Follows `next` links until one says results="false"; returns every page's ids. */
  async function walk(firstPath: string): Promise<string[][]> {
    const pages: string[][] = [];
    let url = firstPath;
    for (let guard = 0; guard < 50; guard++) {
      const answer = await api.get(url, token);
      assert.equal(answer.status, 200);
      pages.push((answer.body as IssueJson[]).map((i) => i.id));
      const { previous, next } = parseLinkHeader(answer.headers.get('link'));
      assert.equal(previous.results, pages.length > 1, 'previous has results after the first page');
      assert.match(next.cursor, /^0:\d+:0$/);
      assert.match(previous.cursor, /^0:\d+:1$/);
      if (!next.results) return pages;
      url = next.url;
    }
    throw new Error('pagination did not end');
  }

  for (const sort of ['date', 'freq']) {
    it(`walks every issue exactly once following Link headers (sort=${sort})`, async () => {
      const pages = await walk(`/api/0/projects/acme/app/issues/?query=&limit=5&sort=${sort}`);
      assert.deepEqual(
        pages.map((p) => p.length),
        [5, 5, 5, 5, 3],
      );
      const walked = pages.flat();
      assert.equal(new Set(walked).size, ISSUES);
      const all = (await api.get(`/api/0/projects/acme/app/issues/?query=&limit=100&sort=${sort}`, token))
        .body as IssueJson[];
      assert.deepEqual(
        walked,
        all.map((i) => i.id),
      );
    });
  }

  it('links back to the previous page, keeping the other parameters', async () => {
    const first = await api.get('/api/0/projects/acme/app/issues/?query=&limit=5', token);
    const second = await api.get(parseLinkHeader(first.headers.get('link')).next.url, token);
    const previous = parseLinkHeader(second.headers.get('link')).previous;
    assert.equal(previous.results, true);
    assert.match(previous.url, /query=&limit=5&cursor=0%3A0%3A1$/);
    const back = await api.get(previous.url, token);
    assert.deepEqual(back.body, first.body);
  });

  it('defaults to 25 issues per page', async () => {
    const answer = await api.get('/api/0/projects/acme/app/issues/?query=', token);
    assert.equal((answer.body as IssueJson[]).length, ISSUES);
    assert.equal(parseLinkHeader(answer.headers.get('link')).next.results, false);
  });
});

describeEachDatabase('REST API issue updates', (ctx) => {
  let api: ApiServer;
  let token: string;
  let projectId: number;
  let ownerId: number;
  let issueId: string;
  let otherIssueId: string;
  const crash = () => errorEvent({ type: 'TypeError', value: 'cart is undefined', functionName: 'checkout' });

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    token = seeded.token;
    projectId = seeded.projectId;
    ownerId = seeded.userId;
    await storeEvents(knex, projectId, [
      crash(),
      errorEvent({ type: 'Error', value: 'other', functionName: 'other' }),
    ]);
    const accounts = new AccountsRepository(knex);
    const org = await accounts.ensureOrganization('acme', 'acme');
    const ann = await accounts.ensureUser('ann@acme.io', false);
    await knex('users').where('id', ann.id).update({ name: 'Ann' });
    await accounts.ensureMember(org.id, ann.id, 'member');
    await accounts.ensureUser('stranger@else.io', false);
    api = await startApiServer(knex);
    const issues = (await api.get('/api/0/projects/acme/app/issues/?query=&sort=new', token))
      .body as IssueJson[];
    [otherIssueId, issueId] = [issues[0].id, issues[1].id];
  });

  after(async () => api?.close());

  const put = (body: unknown, id = issueId) => api.put(`/api/0/issues/${id}/`, body, token);
  const row = () => ctx.db.knex('issues').where('id', issueId).first();

  it('resolves an issue, stamping when', async () => {
    const answer = await put({ status: 'resolved' });
    assert.equal(answer.status, 200);
    const issue = answer.body as IssueJson;
    assert.equal(issue.status, 'resolved');
    assert.equal(issue.substatus, null);
    assert.equal(issue.id, issueId);
    assert.notEqual((await row()).resolved_at, null);
  });

  it('ignores (archives) an issue', async () => {
    const issue = (await put({ status: 'ignored', statusDetails: {} })).body as IssueJson;
    assert.equal(issue.status, 'ignored');
    assert.equal(issue.substatus, 'archived_forever');
    assert.equal((await row()).resolved_at, null);
  });

  it('unresolves an issue as ongoing', async () => {
    const issue = (await put({ status: 'unresolved' })).body as IssueJson;
    assert.equal(issue.status, 'unresolved');
    assert.equal(issue.substatus, 'ongoing');
  });

  it('clears the regression mark when a regressed issue is looked at again', async () => {
    await put({ status: 'resolved' });
    await storeEvents(ctx.db.knex, projectId, [crash()]);
    const regressed = (await api.get(`/api/0/issues/${issueId}/`, token)).body as IssueJson;
    assert.deepEqual(
      [regressed.status, regressed.substatus, regressed.isRegression],
      ['unresolved', 'regressed', true],
    );
    const unchanged = (await put({ status: 'unresolved' })).body as IssueJson;
    assert.deepEqual([unchanged.substatus, unchanged.isRegression], ['regressed', true]);
    const resolved = (await put({ status: 'resolved' })).body as IssueJson;
    assert.deepEqual([resolved.status, resolved.isRegression], ['resolved', false]);
    const reopened = (await put({ status: 'unresolved' })).body as IssueJson;
    assert.deepEqual(
      [reopened.status, reopened.substatus, reopened.isRegression],
      ['unresolved', 'ongoing', false],
    );
  });

  it('assigns to a member by user:ID, id or email, to a team, and unassigns with null or an empty string', async () => {
    const byUserId = (await put({ assignedTo: `user:${ownerId}` })).body as IssueJson;
    assert.deepEqual(byUserId.assignedTo, {
      type: 'user',
      id: String(ownerId),
      name: 'owner@acme.io',
      email: 'owner@acme.io',
    });
    const byEmail = (await put({ assignedTo: 'ANN@acme.io' })).body as IssueJson;
    assert.equal(byEmail.assignedTo?.name, 'Ann');
    assert.equal(byEmail.assignedTo?.email, 'ann@acme.io');
    assert.equal(
      ((await put({ assignedTo: String(ownerId) })).body as IssueJson).assignedTo?.id,
      String(ownerId),
    );
    assert.equal(((await put({ assignedTo: null })).body as IssueJson).assignedTo, null);

    const team: { id: number } = await ctx.db.knex('teams').where('slug', 'acme-team').first('id');
    const byTeam = (await put({ assignedTo: `team:${team.id}` })).body as IssueJson;
    assert.deepEqual(byTeam.assignedTo, { type: 'team', id: String(team.id), name: 'acme-team' });
    assert.equal(((await put({ assignedTo: '' })).body as IssueJson).assignedTo, null);

    const both = (await put({ status: 'resolved', assignedTo: 'ann@acme.io' })).body as IssueJson;
    assert.deepEqual([both.status, both.assignedTo?.email], ['resolved', 'ann@acme.io']);
  });

  it('refuses an assignee who is not a member of the organization', async () => {
    for (const assignedTo of ['stranger@else.io', 'nobody@acme.io', 'user:999999', 'team:999999']) {
      const answer = await put({ assignedTo });
      assert.equal(answer.status, 400, assignedTo);
      assert.match((answer.body as Detail).detail, /`assignedTo`/);
    }
  });

  it('refuses bad bodies with a 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ status: 'fixed' }, /`status`/],
      [{ status: 42 }, /`status`/],
      [{ assignedTo: 42 }, /`assignedTo`/],
      [{ isBookmarked: true }, /`isBookmarked`/],
      [{}, /nothing to update/],
      [[], /request body/],
      [{ status: 'resolved', substatus: 'archived_forever' }, /`substatus`/],
    ];
    for (const [body, pattern] of cases) {
      const answer = await put(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match((answer.body as Detail).detail, pattern, JSON.stringify(body));
    }
    const notJson = await fetch(`${api.url}/api/0/issues/${issueId}/`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{status:',
    });
    assert.equal(notJson.status, 400);
  });

  it('updates by short id', async () => {
    const issue = (await api.put('/api/0/issues/APP-2/', { status: 'ignored' }, token)).body as IssueJson;
    assert.equal(issue.id, otherIssueId);
    assert.equal(issue.status, 'ignored');
  });

  it("bulk-updates a project's issues given as ?id=, answering with what changed", async () => {
    const answer = await api.put(
      `/api/0/projects/acme/app/issues/?id=${issueId}&id=${otherIssueId}`,
      { status: 'unresolved', assignedTo: `user:${ownerId}` },
      token,
    );
    assert.equal(answer.status, 200);
    const body = answer.body as { status: string; assignedTo: { id: string } };
    assert.equal(body.status, 'unresolved');
    assert.equal(body.assignedTo.id, String(ownerId));
    const issues = (await api.get('/api/0/projects/acme/app/issues/?query=is:unresolved assigned:me', token))
      .body as IssueJson[];
    assert.equal(issues.length, 2);

    const noIds = await api.put('/api/0/projects/acme/app/issues/', { status: 'resolved' }, token);
    assert.equal(noIds.status, 400);
    assert.match((noIds.body as Detail).detail, /`id`/);

    const viaOrganization = await api.put(
      `/api/0/organizations/acme/issues/?id=${issueId}`,
      { status: 'resolved' },
      token,
    );
    assert.equal(viaOrganization.status, 200);
    assert.equal(((await api.get(`/api/0/issues/${issueId}/`, token)).body as IssueJson).status, 'resolved');
  });
});
