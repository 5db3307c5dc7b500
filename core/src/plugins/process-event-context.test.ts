import assert from 'node:assert/strict';
import pino from 'pino';
import { z } from 'zod';
import type { Knex } from 'knex';
import { coreServices, definePlugin, withTag } from '@faultline/plugin-sdk';
import { seedAccount } from '../api/api-test-kit';
import { normalizeEvent } from '../events';
import { describeEachDatabase } from '../testing/databases';
import { PluginHost } from './host';
import { PluginSettingsStore } from './settings';

const silent = pino({ level: 'silent' });

/** Tags each event with the `team` its project's config names. */
const teamTagger = definePlugin({
  id: 'team-tagger',
  version: '1.0.0',
  hostVersion: '*',
  configSchema: z.object({ team: z.string() }),
  register(env) {
    env.registerInit({
      deps: { config: coreServices.config },
      init: ({ config }) => ({
        hooks: {
          async processEvent(event, { projectId }) {
            const { team } = await config.forProject(projectId);
            return withTag(event, 'team', team);
          },
        },
      }),
    });
  },
});

describeEachDatabase('processEvent with its project', (ctx) => {
  let knex: Knex;
  let host: PluginHost;
  let projectId: number;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'shop', email: 'o@acme.io' });
    projectId = seeded.projectId;
    const organizationId = (await knex('projects').where('id', projectId).first('organization_id'))
      .organization_id as number;
    // No settings cache across calls: what is saved below is the batch's own.
    const settings = new PluginSettingsStore(knex, undefined, { cacheMs: 0 });
    await knex.transaction((trx) =>
      settings.write(
        trx,
        { organizationId, projectId, pluginId: 'team-tagger' },
        { enabled: null, config: { team: 'checkout' }, secrets: {} },
      ),
    );
    host = await PluginHost.start([teamTagger], {
      knex,
      log: silent,
      settings,
      rawConfigs: { TEAM_TAGGER: JSON.stringify({ team: 'everyone' }) },
    });
    assert.deepEqual(host.skipped, []);
  });

  after(async () => {
    await host?.stop();
  });

  it('gets the project id, and the config in effect there, read once for a whole batch', async () => {
    let settingsQueries = 0;
    const count = (query: { sql: string }) => {
      if (/plugin_settings/.test(query.sql)) settingsQueries += 1;
    };
    knex.on('query', count);
    try {
      const tagged = await knex.transaction((trx) =>
        Promise.all(
          Array.from({ length: 20 }, (_, n) =>
            host.processEvent(
              normalizeEvent(
                { event_id: n.toString(16).padStart(32, '0'), message: `m${n}` },
                { receivedAt: Date.now() },
              ),
              trx,
              projectId,
            ),
          ),
        ),
      );
      for (const event of tagged)
        assert.deepEqual(
          event?.tags?.filter(([key]) => key === 'team'),
          [['team', 'checkout']],
        );
    } finally {
      knex.off('query', count);
    }
    assert.equal(settingsQueries, 1);
  });
});
