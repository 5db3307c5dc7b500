import assert from 'node:assert/strict';
import pino from 'pino';
import type { Knex } from 'knex';
import { definePlugin, type PluginHooks } from '@faultline/plugin-sdk';
import { errorEvent, seedAccount, startApiServer, storeEvents, type ApiServer } from '../api/api-test-kit';
import { describeEachDatabase } from '../testing/databases';
import { PluginFailures } from './failures';
import { PluginHost } from './host';
import { PluginSourceLinks } from './source-links';

const silent = pino({ level: 'silent' });

function plugin(id: string, hooks: PluginHooks) {
  return definePlugin({
    id,
    version: '1.0.0',
    hostVersion: '*',
    register(env) {
      env.registerInit({ deps: {}, init: () => ({ hooks }) });
    },
  });
}

interface FrameJson {
  function: string;
  inApp: boolean;
  sourceLink?: string;
}

type EventJson = { entries: { type: string; data: { values: { stacktrace: { frames: FrameJson[] } }[] } }[] };

/**
 * The event detail of the REST API carries, per in-app frame, the source link a plugin's
 * `sourceLinks` hook gives; a plugin whose hook throws or answers nonsense is counted as failing and
 * the answer goes on without its links.
 */
describeEachDatabase('source links of stack frames in event details', (ctx) => {
  let knex: Knex;
  let host: PluginHost;
  let api: ApiServer;
  let token: string;
  let issueId: string;
  const asked: unknown[] = [];

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'shop', email: 'o@acme.io' });
    token = seeded.token;
    await storeEvents(knex, seeded.projectId, [
      errorEvent({ type: 'TypeError', value: 'boom', functionName: 'checkout', release: 'shop@abc1234' }),
    ]);
    issueId = String((await knex('issues').where('project_id', seeded.projectId).first('id')).id);
    host = await PluginHost.start(
      [
        plugin('broken', {
          sourceLinks: () => {
            throw new Error('no mappings today');
          },
        }),
        plugin('nonsense', { sourceLinks: () => ['javascript:alert(1)'] }),
        plugin('code', {
          sourceLinks: (request) => {
            asked.push(request);
            return request.frames.map(
              (f) => `https://code.example/${request.release}/${f.filename}#L${f.lineno}`,
            );
          },
        }),
      ],
      { knex, log: silent, failures: new PluginFailures(knex, silent) },
    );
    assert.deepEqual(host.skipped, []);
    api = await startApiServer(knex, {
      sourceLinks: new PluginSourceLinks(host, { budgetMs: 2000, log: silent }),
    });
  });
  after(async () => {
    await api?.close();
    await host?.stop();
  });

  it('links the in-app frames only, from the plugin that answers; the failing ones are counted', async () => {
    const answer = await api.get(`/api/0/issues/${issueId}/events/latest/`, token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const [exception] = (answer.body as EventJson).entries.filter((e) => e.type === 'exception');
    const frames = exception.data.values[0].stacktrace.frames;
    assert.deepEqual(
      frames.map((f) => [f.function, f.inApp, f.sourceLink]),
      [
        ['dispatch', false, undefined],
        ['checkout', true, 'https://code.example/shop@abc1234/src/checkout.js#L42'],
      ],
    );
    // Only in-app frames are asked about, in the stored event's field names.
    assert.deepEqual(asked.at(-1), {
      projectId: String((await knex('issues').where('id', issueId).first('project_id')).project_id),
      release: 'shop@abc1234',
      frames: [
        { filename: 'src/checkout.js', abs_path: '/app/src/checkout.js', function: 'checkout', lineno: 42 },
      ],
    });
    assert.equal((await host.failuresOf('broken')).counts.hook, 1);
    assert.equal((await host.failuresOf('nonsense')).counts.hook, 1);
    assert.equal((await host.failuresOf('code')).counts.hook, 0);
  });

  it('answers without links when no plugin offers them', async () => {
    const plain = await startApiServer(knex);
    try {
      const answer = await plain.get(`/api/0/issues/${issueId}/events/latest/`, token);
      assert.equal(answer.status, 200);
      const [exception] = (answer.body as EventJson).entries.filter((e) => e.type === 'exception');
      assert.ok(exception.data.values[0].stacktrace.frames.every((f) => f.sourceLink === undefined));
    } finally {
      await plain.close();
    }
  });
});
