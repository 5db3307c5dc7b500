import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { AccountsRepository } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import { seedAccount, startApiServer, type ApiServer } from './api-test-kit';

/**
 * What an integration keeps in Faultline and reads back through its organization token: its place
 * in the change stream (so the Slack app resumes from it after any restart), the workspaces it was
 * installed in (Bolt's installation store), and the organization's linked accounts of its provider
 * (whom the Slack app offers to assign).
 */
describeEachDatabase('integration state', (ctx) => {
  let api: ApiServer;
  let knex: Knex;
  let owner: string;
  let slack: string;
  let github: string;
  let slackWithoutMembers: string;
  let globexSlack: string;
  let slackWriter: string;
  let globexWriter: string;
  let memberId: number;
  let leaverId: number;

  const orgToken = async (org: string, client: string, scopes: string[], by: string) => {
    const made = await api.request(
      'post',
      `/api/0/organizations/${org}/org-auth-tokens/`,
      { name: client, client, scopes },
      by,
    );
    assert.equal(made.status, 201, JSON.stringify(made.body));
    return (made.body as { token: string }).token;
  };

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    owner = seeded.token;
    const globex = await seedAccount(knex, { organization: 'globex', project: 'web', email: 'g@globex.io' });
    const accounts = new AccountsRepository(knex);
    const org = await accounts.ensureOrganization('acme', 'acme');
    memberId = (await accounts.ensureUser('m@acme.io', false)).id;
    await accounts.ensureMember(org.id, memberId, 'member');
    // Linked once, then left the organization: not someone Slack may act for any more.
    leaverId = (await accounts.ensureUser('left@acme.io', false)).id;
    api = await startApiServer(knex);
    slack = await orgToken('acme', 'slack', ['org:read', 'member:read'], owner);
    github = await orgToken('acme', 'github', ['org:read', 'member:read'], owner);
    slackWithoutMembers = await orgToken('acme', 'slack', ['org:read'], owner);
    globexSlack = await orgToken('globex', 'slack', ['org:read', 'member:read'], globex.token);
    slackWriter = await orgToken('acme', 'slack', ['org:read', 'org:write'], owner);
    globexWriter = await orgToken('globex', 'slack', ['org:read', 'org:write'], globex.token);
    const link = (user: string, userId: number, provider = 'slack') =>
      knex('external_identities').insert({
        organization_id: org.id,
        provider,
        external_workspace_id: 'T1',
        external_user_id: user,
        user_id: userId,
      });
    await link('U0OWNER', seeded.userId);
    await link('U0MEMBER', memberId);
    await link('U0LEFT', leaverId);
    await link('4242', memberId, 'github');
  });
  after(async () => api?.close());

  describe('the change stream cursor', () => {
    const path = '/api/0/organizations/acme/integration-cursor/';

    it('is null until saved, then read back, per integration and organization', async () => {
      assert.deepEqual((await api.get(path, slack)).body, { cursor: null });
      assert.equal((await api.put(path, { cursor: '812-40' }, slack)).status, 204);
      assert.deepEqual((await api.get(path, slack)).body, { cursor: '812-40' });
      // Another token of the same integration (a rotated one) resumes from the same place.
      assert.deepEqual((await api.get(path, slackWithoutMembers)).body, { cursor: '812-40' });
      assert.equal((await api.put(path, { cursor: '813-2' }, slackWithoutMembers)).status, 204);
      assert.deepEqual((await api.get(path, slack)).body, { cursor: '813-2' });
      assert.deepEqual((await api.get(path, github)).body, { cursor: null });
      const globex = '/api/0/organizations/globex/integration-cursor/';
      assert.deepEqual((await api.get(globex, globexSlack)).body, { cursor: null });
    });

    it('refuses what is not a stream event id, and anyone but an integration', async () => {
      const bad = await api.put(path, { cursor: 'yesterday' }, slack);
      assert.equal(bad.status, 400);
      assert.equal((bad.body as { code: string }).code, 'invalid_cursor');
      const person = await api.get(path, owner);
      assert.equal(person.status, 403);
      assert.equal((person.body as { code: string }).code, 'integration_required');
      assert.equal((await api.get(path, globexSlack)).status, 404, "another organization's token");
      assert.equal((await api.get(path)).status, 401);
    });
  });

  describe('installations through the OAuth flow', () => {
    const path = '/api/0/organizations/acme/integration-installations/T0NEW/';
    const installation = {
      team: { id: 'T0NEW', name: 'New workspace' },
      bot: { token: 'xoxb-installed-secret-token', userId: 'UBOT', id: 'BBOT', scopes: ['chat:write'] },
      isEnterpriseInstall: false,
      authVersion: 'v2',
    };

    it('are saved sealed, read back whole by the integration, and forgotten', async () => {
      assert.equal((await api.get(path, slack)).status, 404);
      assert.equal((await api.put(path, { installation }, slackWriter)).status, 204);
      const read = await api.get(path, slack);
      assert.equal(read.status, 200);
      assert.deepEqual((read.body as { installation: unknown }).installation, installation);
      const stored = await knex('integration_installations')
        .where({ external_workspace_id: 'T0NEW' })
        .first();
      assert.equal(stored.organization_id > 0, true);
      assert.ok(!stored.installation_sealed.includes('xoxb'), 'the token is not stored in the clear');
      // A reinstall replaces the record (new tokens).
      const again = { ...installation, bot: { ...installation.bot, token: 'xoxb-reinstalled' } };
      assert.equal((await api.put(path, { installation: again }, slackWriter)).status, 204);
      assert.equal(
        ((await api.get(path, slack)).body as { installation: typeof again }).installation.bot.token,
        'xoxb-reinstalled',
      );
      assert.equal((await api.get(path, github)).status, 404, "another integration's");
      assert.equal((await api.request('delete', path, undefined, slackWriter)).status, 204);
      assert.equal((await api.get(path, slack)).status, 404);
    });

    it('connect a workspace to one organization; need org:write to change, and an integration', async () => {
      assert.equal((await api.put(path, { installation }, slackWriter)).status, 204);
      const globex = '/api/0/organizations/globex/integration-installations/T0NEW/';
      const elsewhere = await api.put(globex, { installation }, globexWriter);
      assert.equal(elsewhere.status, 409);
      assert.equal((elsewhere.body as { code: string }).code, 'workspace_connected_elsewhere');
      assert.equal((await api.get(globex, globexSlack)).status, 404);
      assert.equal((await api.put(path, { installation }, slack)).status, 403, 'org:read only');
      assert.equal((await api.get(path, owner)).status, 403, 'a person');
      const bad = await api.put(
        '/api/0/organizations/acme/integration-installations/T%20X/',
        { installation },
        slackWriter,
      );
      assert.equal(bad.status, 400);
    });
  });

  describe('linked accounts of an organization', () => {
    const path = '/api/0/organizations/acme/external-identities/';
    type Listed = { externalUserId: string; userId: string; provider: string };

    it("lists the integration's own links of people who are still members", async () => {
      const listed = (await api.get(path, slack)).body as Listed[];
      assert.deepEqual(
        listed.map((link) => [link.externalUserId, link.userId]),
        [
          ['U0OWNER', String((await knex('users').where({ email: 'o@acme.io' }).first('id')).id)],
          ['U0MEMBER', String(memberId)],
        ],
      );
      const ofGithub = (await api.get(path, github)).body as Listed[];
      assert.deepEqual(
        ofGithub.map((link) => [link.provider, link.externalUserId]),
        [['github', '4242']],
      );
    });

    it('needs member:read, an integration token and the organization', async () => {
      const unscoped = await api.get(path, slackWithoutMembers);
      assert.equal(unscoped.status, 403);
      const person = await api.get(path, owner);
      assert.equal((person.body as { code: string }).code, 'integration_required');
      assert.equal((await api.get(path, globexSlack)).status, 404);
    });
  });
});
