import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../testing/databases';
import {
  errorEvent,
  parseLinkHeader,
  seedProject,
  startSeededApi,
  storeEvents,
  type ApiServer,
} from './api-test-kit';

interface ReleaseJson {
  version: string;
  newGroups: number;
  commitCount: number;
  lastCommit: { id: string; repository: { name: string } } | null;
  projects: { slug: string; newGroups: number }[];
}

const path = (version: string, rest = '') =>
  `/api/0/organizations/acme/releases/${encodeURIComponent(version)}/${rest}`;

/** Sentry's release routes as sentry-cli and people call them, and the releases events create. */
describeEachDatabase('REST API releases', (ctx) => {
  let api: ApiServer;
  let knex: Knex;
  let token: string;
  let projectId: number;

  before(async () => {
    knex = ctx.db.knex;
    ({ api, token, projectId } = await startSeededApi(knex));
    await seedProject(knex, { organization: 'acme', project: 'web', platform: 'javascript' });
  });

  after(async () => api?.close());

  it('creates the releases events name, once, with the issues first seen in them', async () => {
    const event = (value: string, release: string) =>
      errorEvent({ type: 'TypeError', value, functionName: value, release });
    await storeEvents(knex, projectId, [event('a', 'app@1.0'), event('b', 'app@1.0'), event('c', 'bad/one')]);
    await storeEvents(knex, projectId, [event('a', 'app@1.0'), event('d', 'app@1.1')]);
    const one = await api.get(path('app@1.0'), token);
    assert.equal(one.status, 200);
    const release = one.body as ReleaseJson;
    assert.equal(release.newGroups, 2);
    assert.deepEqual(
      release.projects.map((p) => [p.slug, p.newGroups]),
      [['app', 2]],
    );
    const list = await api.get('/api/0/projects/acme/app/releases/', token);
    assert.deepEqual(
      (list.body as ReleaseJson[]).map((r) => r.version),
      ['app@1.1', 'app@1.0'],
      'newest first; a version with "/" stays on its event only',
    );
  });

  it('creating is idempotent and adds projects; versions are decoded from the path', async () => {
    const version = 'shop@1.0.0+b#1?x%y';
    const first = await api.request(
      'post',
      '/api/0/organizations/acme/releases/',
      { version, projects: ['app'] },
      token,
    );
    assert.equal(first.status, 201);
    const again = await api.request(
      'post',
      '/api/0/organizations/acme/releases/',
      { version, projects: ['web'] },
      token,
    );
    assert.equal(again.status, 201);
    const shown = await api.get(path(version), token);
    assert.equal((shown.body as ReleaseJson).version, version);
    assert.deepEqual(
      (shown.body as ReleaseJson).projects.map((p) => p.slug),
      ['app', 'web'],
    );
    const unknown = await api.request(
      'post',
      '/api/0/organizations/acme/releases/',
      { version, projects: ['nope'] },
      token,
    );
    assert.equal(unknown.status, 400);
    assert.match(JSON.stringify(unknown.body), /Invalid project slugs: nope/);
  });

  it('refuses versions with "/" with a 400, in the body and encoded in the path', async () => {
    const created = await api.request(
      'post',
      '/api/0/organizations/acme/releases/',
      { version: 'a/b', projects: ['app'] },
      token,
    );
    assert.equal(created.status, 400);
    assert.match((created.body as { detail: string }).detail, /contains "\/"/);
    const read = await api.get('/api/0/organizations/acme/releases/a%2Fb/', token);
    assert.equal(read.status, 400);
    assert.equal(read.headers.get('content-type'), 'application/json; charset=utf-8');
  });

  it('previous-with-commits answers {} until an earlier release of a shared project has commits', async () => {
    const create = (version: string) =>
      api.request('post', '/api/0/organizations/acme/releases/', { version, projects: ['app'] }, token);
    await create('svc@1');
    await create('svc@2');
    const none = await api.get(path('svc@2', 'previous-with-commits/'), token);
    assert.equal(none.status, 200);
    assert.deepEqual(none.body, {});
    const commits = [
      { id: 'c2', repository: 'origin', message: 'second', author_email: 'a@acme.io' },
      { id: 'c1', repository: 'origin', message: 'first' },
    ];
    const set = await api.put(path('svc@1'), { commits }, token);
    assert.equal(set.status, 200);
    assert.equal((set.body as ReleaseJson).commitCount, 2);
    const previous = await api.get(path('svc@2', 'previous-with-commits/'), token);
    assert.equal((previous.body as ReleaseJson).version, 'svc@1');
    assert.equal((previous.body as ReleaseJson).lastCommit?.id, 'c2');
    assert.equal((await api.get(path('svc@404', 'previous-with-commits/'), token)).status, 404);
  });

  it('sets head commits of known repositories only, and pages the repositories', async () => {
    await api.request(
      'post',
      '/api/0/organizations/acme/releases/',
      { version: 'web@1', projects: ['web'] },
      token,
    );
    const refs = [{ repository: 'acme/web', commit: 'f'.repeat(40), previousCommit: null }];
    const unknown = await api.put(path('web@1'), { refs }, token);
    assert.equal(unknown.status, 400);
    assert.match(JSON.stringify(unknown.body), /Invalid repository names: acme\/web/);
    const repo = await api.request(
      'post',
      '/api/0/organizations/acme/repos/',
      { name: 'acme/web', provider: 'integrations:github' },
      token,
    );
    assert.equal(repo.status, 201);
    const taken = await api.request('post', '/api/0/organizations/acme/repos/', { name: 'acme/web' }, token);
    assert.equal(taken.status, 409);
    const set = await api.put(path('web@1'), { refs }, token);
    assert.equal((set.body as ReleaseJson).lastCommit?.repository.name, 'acme/web');
    // `origin` came from the commit list above; sentry-cli starts with an empty cursor.
    const page = await api.get('/api/0/organizations/acme/repos/?cursor=&per_page=1', token);
    assert.equal(page.status, 200);
    assert.deepEqual(
      (page.body as { name: string; provider: { id: string } }[]).map((r) => [r.name, r.provider.id]),
      [['origin', 'unknown']],
    );
    const next = parseLinkHeader(page.headers.get('link')).next;
    assert.equal(next.results, true);
    const second = await api.get(new URL(next.url).pathname + new URL(next.url).search, token);
    assert.deepEqual(
      (second.body as { name: string; provider: { id: string } }[]).map((r) => [r.name, r.provider.id]),
      [['acme/web', 'integrations:github']],
    );
  });

  it('records deploys per environment, refusing a bad environment name', async () => {
    const bad = await api.request('post', path('web@1', 'deploys/'), { environment: 'a/b' }, token);
    assert.equal(bad.status, 400);
    const made = await api.request(
      'post',
      path('web@1', 'deploys/'),
      { environment: 'production', name: 'one' },
      token,
    );
    assert.equal(made.status, 201);
    await api.request('post', path('web@1', 'deploys/'), { environment: 'staging' }, token);
    const list = await api.get(path('web@1', 'deploys/'), token);
    assert.deepEqual(
      (list.body as { environment: string }[]).map((d) => d.environment),
      ['staging', 'production'],
    );
  });

  it('GET /api/0/ says what a token acts for, and nothing without one', async () => {
    const anonymous = await api.get('/api/0/');
    assert.deepEqual(anonymous.body, { user: null, auth: null });
    const own = await api.get('/api/0/', token);
    const body = own.body as { user: { email: string }; auth: { scopes: string[] } };
    assert.equal(body.user.email, 'owner@acme.io');
    assert.ok(body.auth.scopes.includes('project:releases'));
    assert.equal((await api.get('/api/0/', 'sntrys_unknown')).status, 401);
  });
});
