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

interface OrganizationJson {
  id: string;
  slug: string;
  name: string;
  dateCreated: string;
}

interface ProjectJson {
  id: string;
  slug: string;
  name: string;
  platform: string | null;
  dateCreated: string;
  firstEvent: string | null;
  organization: { id: string; slug: string; name: string };
}

interface KeyJson {
  id: string;
  name: string;
  label: string;
  public: string;
  secret: string | null;
  projectId: number;
  isActive: boolean;
  rateLimit: { window: number; count: number } | null;
  dsn: Record<string, string | null>;
  dateCreated: string;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describeEachDatabase('REST API organizations, projects and keys', (ctx) => {
  let api: ApiServer;
  let token: string;
  let projectId: number;
  let quietProjectId: number;

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    token = seeded.token;
    projectId = seeded.projectId;
    const accounts = new AccountsRepository(knex);
    const org = await accounts.ensureOrganization('acme', 'acme');
    const team = await accounts.ensureTeam(org.id, 'acme-team');
    const quiet = await accounts.ensureProject(org.id, team.id, 'backend', 'python');
    quietProjectId = quiet.id;
    await knex('project_keys').insert({
      project_id: projectId,
      label: 'Throttled',
      public_key: 'b'.repeat(32),
      secret_key_hash: 'c'.repeat(64),
      is_active: false,
      rate_limit_count: 100,
      rate_limit_window: 60,
    });
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'boom' })]);
    api = await startApiServer(knex);
  });

  after(async () => api?.close());

  it('lists organizations in Sentry shape with string ids', async () => {
    const answer = await api.get('/api/0/organizations/', token);
    assert.equal(answer.status, 200);
    const [org] = answer.body as OrganizationJson[];
    assert.equal(typeof org.id, 'string');
    assert.equal(org.slug, 'acme');
    assert.equal(org.name, 'acme');
    assert.match(org.dateCreated, ISO);
    assert.equal(parseLinkHeader(answer.headers.get('link')).next.results, false);
  });

  it('shows one organization by slug or by id', async () => {
    const bySlug = (await api.get('/api/0/organizations/acme/', token)).body as OrganizationJson;
    const byId = (await api.get(`/api/0/organizations/${bySlug.id}/`, token)).body as OrganizationJson;
    assert.deepEqual(byId, bySlug);
  });

  it("lists an organization's projects with their organization", async () => {
    const projects = (await api.get('/api/0/organizations/acme/projects/', token)).body as ProjectJson[];
    assert.deepEqual(
      projects.map((p) => [p.slug, p.platform]),
      [
        ['app', 'javascript'],
        ['backend', 'python'],
      ],
    );
    const app = projects[0];
    assert.equal(app.id, String(projectId));
    assert.equal(app.name, 'app');
    assert.match(app.dateCreated, ISO);
    assert.match(app.firstEvent ?? '', ISO);
    assert.equal(projects[1].firstEvent, null);
    assert.deepEqual(
      { slug: app.organization.slug, name: app.organization.name },
      { slug: 'acme', name: 'acme' },
    );
    assert.equal(typeof app.organization.id, 'string');
  });

  it("lists every project of the user's organizations, and shows one project", async () => {
    const all = (await api.get('/api/0/projects/', token)).body as ProjectJson[];
    assert.deepEqual(all.map((p) => p.slug).sort(), ['app', 'backend']);
    const one = (await api.get('/api/0/projects/acme/backend/', token)).body as ProjectJson;
    assert.equal(one.id, String(quietProjectId));
  });

  it("lists a project's keys with Sentry's DSN forms built from the public URL", async () => {
    const keys = (await api.get('/api/0/projects/acme/app/keys/', token)).body as KeyJson[];
    assert.equal(keys.length, 2);
    const [main, throttled] = keys;
    assert.equal(main.id, main.public);
    assert.match(main.public, /^[0-9a-f]{32}$/);
    assert.equal(main.name, 'Default');
    assert.equal(main.label, 'Default');
    assert.equal(main.projectId, projectId);
    assert.equal(main.isActive, true);
    assert.equal(main.rateLimit, null);
    assert.equal(main.dsn.public, `http://${main.public}@${new URL(api.url).host}/${projectId}`);
    // Secrets are shown only when a key is created; lists keep Sentry's fields, set to null.
    assert.equal(main.secret, null);
    assert.equal(main.dsn.secret, null);
    assert.equal(main.dsn.csp, `${api.url}/api/${projectId}/csp-report/?sentry_key=${main.public}`);
    assert.ok(main.dsn.security && main.dsn.minidump && main.dsn.unreal && main.dsn.cdn);
    assert.match(main.dateCreated, ISO);
    assert.deepEqual(throttled.rateLimit, { window: 60, count: 100 });
    assert.equal(throttled.isActive, false);

    const active = (await api.get('/api/0/projects/acme/app/keys/?status=active', token)).body as KeyJson[];
    assert.deepEqual(
      active.map((k) => k.id),
      [main.id],
    );
  });

  it('paginates projects with per_page and Link cursors', async () => {
    const first = await api.get('/api/0/organizations/acme/projects/?per_page=1', token);
    const links = parseLinkHeader(first.headers.get('link'));
    assert.equal(links.previous.results, false);
    assert.equal(links.next.results, true);
    const second = await api.get(links.next.url, token);
    assert.deepEqual(
      [...(first.body as ProjectJson[]), ...(second.body as ProjectJson[])].map((p) => p.slug),
      ['app', 'backend'],
    );
    assert.equal(parseLinkHeader(second.headers.get('link')).next.results, false);
  });
});
