import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { AccountsRepository } from '../../accounts';
import { seedAccount } from '../../api/api-test-kit';
import { describeEachDatabase } from '../../testing/databases';
import { PluginLinkedAccountsService } from './linked-accounts-service';
import { signedInRequests } from './signed-in-requests';

describeEachDatabase('plugin linked-accounts service', (ctx) => {
  let knex: Knex;
  let projectId: string;
  let otherProjectId: string;
  let adaId: number;
  let leftId: number;

  before(async () => {
    knex = ctx.db.knex;
    const acme = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'ada@acme.io' });
    const globex = await seedAccount(knex, { organization: 'globex', project: 'web', email: 'g@globex.io' });
    projectId = String(acme.projectId);
    otherProjectId = String(globex.projectId);
    adaId = acme.userId;
    await knex('users').where({ id: adaId }).update({ name: 'Ada Lovelace' });
    const org = (await knex('projects').where('id', acme.projectId).first('organization_id')).organization_id;
    // Someone who linked, then left the organization: their link links nobody.
    leftId = (await new AccountsRepository(knex).ensureUser('left@acme.io', false)).id;
    const link = (provider: string, user: string, userId: number) => ({
      organization_id: org,
      provider,
      external_workspace_id: 'W1',
      external_user_id: user,
      user_id: userId,
    });
    await knex('external_identities').insert([
      link('github', '5001', adaId),
      link('slack', 'U0ADA', adaId),
      link('github', '5002', leftId),
    ]);
  });

  it('finds the member an identity of its own provider links, with their name and identities', async () => {
    const github = new PluginLinkedAccountsService(knex, 'github');
    const ada = await github.findByExternalUser(projectId, '5001');
    assert.deepEqual(ada, {
      userId: String(adaId),
      name: 'Ada Lovelace',
      email: 'ada@acme.io',
      identities: [{ workspaceId: 'W1', userId: '5001' }],
    });
    assert.deepEqual(await github.findByExternalUser(projectId, '5001', { workspaceId: 'W1' }), ada);
    assert.equal(await github.findByExternalUser(projectId, '5001', { workspaceId: 'W2' }), undefined);
    assert.deepEqual(await github.member(projectId, String(adaId)), ada);
  });

  it('sees no other provider, organization, or people who left', async () => {
    const github = new PluginLinkedAccountsService(knex, 'github');
    assert.equal(await github.findByExternalUser(projectId, 'U0ADA'), undefined, "slack's identity");
    assert.equal(await github.findByExternalUser(otherProjectId, '5001'), undefined, 'another organization');
    assert.equal(await github.findByExternalUser(projectId, '5002'), undefined, 'not a member');
    assert.equal(await github.member(projectId, String(leftId)), undefined);
    assert.equal(await github.member('nonsense', String(adaId)), undefined);
    // A plugin that is no integration sees members but none of their identities.
    const other = new PluginLinkedAccountsService(knex, 'ticketer');
    assert.equal(await other.findByExternalUser(projectId, '5001'), undefined);
    assert.deepEqual((await other.member(projectId, String(adaId)))?.identities, []);
  });

  it('links an identity only for the signed-in person of a request being answered, where they are a member', async () => {
    const github = new PluginLinkedAccountsService(knex, 'github');
    const link = { organization: 'acme', workspaceId: 'github.com', externalUserId: '7001' };
    const codeOf = (call: Promise<unknown>) =>
      call.then(
        () => 'linked',
        (error: { code?: string }) => error.code,
      );
    assert.equal(await codeOf(github.linkSignedInUser(undefined, link)), 'not_signed_in');
    assert.equal(
      await codeOf(github.linkSignedInUser({ userId: String(adaId), proof: 'forged' }, link)),
      'not_signed_in',
    );

    const proof = signedInRequests.begin(adaId);
    const ada = { userId: String(adaId), proof };
    try {
      assert.deepEqual(await github.linkSignedInUser(ada, link), { ...link, userId: String(adaId) });
      // Again: nothing changes. Elsewhere, or for an identity taken, or by no integration: refused.
      assert.deepEqual(await github.linkSignedInUser(ada, link), { ...link, userId: String(adaId) });
      assert.equal(
        await codeOf(github.linkSignedInUser(ada, { ...link, organization: 'globex' })),
        'not_a_member',
      );
      assert.equal(
        await codeOf(github.linkSignedInUser(ada, { ...link, organization: 'nowhere' })),
        'organization_not_found',
      );
      assert.equal(
        await codeOf(github.linkSignedInUser(ada, { ...link, externalUserId: '5002', workspaceId: 'W1' })),
        'identity_linked_elsewhere',
      );
      assert.equal(
        await codeOf(github.linkSignedInUser(ada, { ...link, externalUserId: 'a b' })),
        'invalid_external_id',
      );
      const other = new PluginLinkedAccountsService(knex, 'ticketer');
      assert.equal(await codeOf(other.linkSignedInUser(ada, link)), 'not_an_integration');
    } finally {
      signedInRequests.end(proof);
    }
    // Once the request is answered, its proof names nobody.
    assert.equal(
      await codeOf(github.linkSignedInUser(ada, { ...link, externalUserId: '7002' })),
      'not_signed_in',
    );
    assert.deepEqual((await github.findByExternalUser(projectId, '7001'))?.userId, String(adaId));
    const audit = await knex('audit_log')
      .where({ event: 'identity.link' })
      .select('actor_user_id', 'surface');
    assert.deepEqual(audit, [{ actor_user_id: adaId, surface: 'github' }]);
  });
});
