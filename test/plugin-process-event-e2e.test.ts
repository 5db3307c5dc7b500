import assert from 'node:assert/strict';
import path from 'node:path';
import { isPostgresReachable } from '../core/src/testing/databases';
import { sleep, waitFor } from './support/api';
import { envelopeUrl, eventEnvelope, parseTestDsn } from './support/envelopes';
import { httpRequest } from './support/http';
import { startStack, type Stack } from './support/stack';

const STAMPER = path.join(__dirname, 'support', 'plugins', 'stamper');

/**
 * A third-party processEvent plugin installed by folder, in a real `faultline start`: on Postgres
 * the pipeline runs on its own thread, which loads the plugins itself; embedded, on the main thread.
 * Either way every stored event went through the plugin, and the events it dropped are not stored.
 */
for (const kind of ['postgres', 'embedded'] as const) {
  describe(`a processEvent plugin in a running server [${kind}]`, function () {
    this.timeout(90_000);
    let stack: Stack | undefined;

    before(async function () {
      if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
      stack = await startStack(kind, { env: { PLUGINS: STAMPER } });
    });

    after(async () => stack?.dispose());

    it('stores the events the plugin changed, and not the ones it dropped', async () => {
      const { organization, project } = stack!.setup;
      const dsn = parseTestDsn(stack!.setup.dsn);
      const send = async (message: string) => {
        const event = eventEnvelope({ message, fingerprint: [message] });
        const res = await httpRequest(envelopeUrl(stack!.baseUrl, dsn.projectId, dsn.publicKey), {
          method: 'POST',
          body: event.body,
        });
        assert.equal(res.status, 200, res.text());
        return event.eventId;
      };
      await send('drop me');
      const kept = await send('keep me');

      const stored = await waitFor('the kept event', async () => {
        try {
          return await stack!.api.projectEvent(organization, project, kept);
        } catch {
          return undefined;
        }
      });
      const tags = new Map((stored.tags ?? []).map((t) => [t.key, t.value]));
      assert.equal(tags.get('stamped'), 'yes', JSON.stringify(stored.tags));

      await sleep(1000);
      const issues = await stack!.api.issues(organization, project);
      assert.deepEqual(
        issues.map((i) => i.title),
        ['keep me'],
        'the dropped event made no issue',
      );
    });
  });
}
