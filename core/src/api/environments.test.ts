import assert from 'node:assert/strict';
import { AccountsRepository } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import {
  errorEvent,
  seedAccount,
  startApiServer,
  storeEvents,
  tokenWithScopes,
  type ApiServer,
} from './api-test-kit';

interface ProjectJson {
  slug: string;
}

/**
 * What the web UI's pickers read: the environments a project's events came from, an issue's last
 * release, and the projects a team holds — each only within what the caller may see.
 */
describeEachDatabase('REST API environments, last release and team projects', (ctx) => {
  let api: ApiServer;
  let ownerToken: string;
  let memberToken: string;
  let checkoutIssue: number;
  let quietIssue: number;

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    ownerToken = seeded.token;
    const accounts = new AccountsRepository(knex);
    const org = await accounts.ensureOrganization('acme', 'acme');
    const ops = await accounts.ensureTeam(org.id, 'ops');
    const backend = await accounts.ensureProject(org.id, ops.id, 'backend', 'python');
    // A member on the app's team only: the ops team's project is not theirs to see.
    const member = await accounts.ensureUser('member@acme.io', false);
    await accounts.ensureMember(org.id, member.id, 'member');
    const appTeam = await accounts.ensureTeam(org.id, 'acme-team');
    await accounts.ensureTeamMember(appTeam.id, member.id);
    memberToken = await tokenWithScopes(knex, 'member@acme.io', ['project:read', 'event:read', 'team:read']);

    await storeEvents(knex, seeded.projectId, [
      errorEvent({
        type: 'TypeError',
        value: 'x',
        functionName: 'checkout',
        environment: 'production',
        release: 'shop@1.0',
      }),
      errorEvent({
        type: 'TypeError',
        value: 'x',
        functionName: 'checkout',
        environment: 'staging',
        release: 'shop@1.1',
      }),
      errorEvent({ type: 'RangeError', value: 'y', functionName: 'quiet', environment: 'dev' }),
    ]);
    await storeEvents(knex, backend.id, [
      errorEvent({ type: 'KeyError', value: 'z', environment: 'backend-prod' }),
    ]);
    const issues: { id: number; culprit: string }[] = await knex('issues')
      .where('project_id', seeded.projectId)
      .select('id', 'culprit');
    checkoutIssue = issues.find((issue) => issue.culprit.includes('checkout'))!.id;
    quietIssue = issues.find((issue) => issue.culprit.includes('quiet'))!.id;
    api = await startApiServer(knex);
  });

  after(async () => api?.close());

  it("lists the environments of the project's events by name, and none of another project", async () => {
    const answer = await api.get('/api/0/projects/acme/app/environments/', memberToken);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, [
      { id: 'dev', name: 'dev', isHidden: false },
      { id: 'production', name: 'production', isHidden: false },
      { id: 'staging', name: 'staging', isHidden: false },
    ]);
    const backend = await api.get('/api/0/projects/acme/backend/environments/', ownerToken);
    assert.deepEqual(
      (backend.body as { name: string }[]).map((e) => e.name),
      ['backend-prod'],
    );
  });

  it("answers 404 for the environments of a project the caller can't see", async () => {
    const answer = await api.get('/api/0/projects/acme/backend/environments/', memberToken);
    assert.equal(answer.status, 404);
  });

  it("gives an issue's last release (its latest event's) next to its first", async () => {
    const answer = await api.get(`/api/0/issues/${checkoutIssue}/`, ownerToken);
    assert.equal(answer.status, 200);
    const issue = answer.body as { firstRelease: unknown; lastRelease: unknown };
    assert.deepEqual(issue.firstRelease, { version: 'shop@1.0' });
    assert.deepEqual(issue.lastRelease, { version: 'shop@1.1' });
    const quiet = (await api.get(`/api/0/issues/${quietIssue}/`, ownerToken)).body as {
      lastRelease: unknown;
    };
    assert.equal(quiet.lastRelease, null, 'an event that named no release');
  });

  it("lists a team's projects, leaving out those the caller can't see", async () => {
    const slugs = async (team: string, token: string) => {
      const answer = await api.get(`/api/0/teams/acme/${team}/projects/`, token);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return (answer.body as ProjectJson[]).map((project) => project.slug);
    };
    assert.deepEqual(await slugs('acme-team', ownerToken), ['app']);
    assert.deepEqual(await slugs('ops', ownerToken), ['backend']);
    assert.deepEqual(await slugs('acme-team', memberToken), ['app']);
    assert.deepEqual(await slugs('ops', memberToken), [], "the ops team's project is hidden from the member");
  });
});
