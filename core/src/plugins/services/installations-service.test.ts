import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { seedAccount } from '../../api/api-test-kit';
import { secretBoxFor } from '../../auth';
import { INSTALLATIONS_PURPOSE, saveInstallation } from '../../integrations';
import { describeEachDatabase } from '../../testing/databases';
import { PluginInstallationsService } from './installations-service';

describeEachDatabase('plugin installations service', (ctx) => {
  const sealer = secretBoxFor(crypto.randomBytes(32), INSTALLATIONS_PURPOSE);
  let knex: Knex;
  let acmeProject: string;
  let globexProject: string;

  before(async () => {
    knex = ctx.db.knex;
    const acme = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'ada@acme.io' });
    const globex = await seedAccount(knex, { organization: 'globex', project: 'web', email: 'g@globex.io' });
    acmeProject = String(acme.projectId);
    globexProject = String(globex.projectId);
    const orgOf = async (projectId: number) =>
      (await knex('projects').where('id', projectId).first('organization_id')).organization_id as number;
    const save = async (
      projectId: number,
      provider: 'slack' | 'github',
      workspaceId: string,
      token: string,
    ) =>
      saveInstallation(
        knex,
        sealer,
        { organizationId: await orgOf(projectId), provider, workspaceId },
        { team: { id: workspaceId }, bot: { token } },
      );
    await save(acme.projectId, 'slack', 'T0ACME', 'xoxb-acme');
    await save(acme.projectId, 'github', '42', 'ghs-acme');
    await save(globex.projectId, 'slack', 'T0GLOBEX', 'xoxb-globex');
  });

  it("gives the slack plugin its organization's Slack workspaces with their bot tokens", async () => {
    const slack = new PluginInstallationsService(knex, 'slack', sealer);
    assert.deepEqual(await slack.forProject(acmeProject), [{ workspaceId: 'T0ACME', botToken: 'xoxb-acme' }]);
    assert.deepEqual(await slack.forProject(globexProject), [
      { workspaceId: 'T0GLOBEX', botToken: 'xoxb-globex' },
    ]);
  });

  it("shows no other provider's installations, none to a plugin that is no integration, and none without the key", async () => {
    const github = new PluginInstallationsService(knex, 'github', sealer);
    assert.deepEqual(await github.forProject(acmeProject), [{ workspaceId: '42', botToken: 'ghs-acme' }]);
    assert.deepEqual(
      await new PluginInstallationsService(knex, 'webhooks', sealer).forProject(acmeProject),
      [],
    );
    assert.deepEqual(
      await new PluginInstallationsService(knex, 'slack', undefined).forProject(acmeProject),
      [],
    );
    assert.deepEqual(await new PluginInstallationsService(knex, 'slack', sealer).forProject('nonsense'), []);
  });
});
