import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { bootstrap, type BootstrapResult } from '../accounts';
import { isPostgresReachable } from '../testing/databases';
import { waitFor } from '../testing/wait';
import { startTestServer, type TestServer } from '../testing/server';

const newEventId = () => randomUUID().replaceAll('-', '');

/** `{"a":{"a":…}}` nested `depth` deep, as text (building it as an object and stringifying overflows). */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;

function eventText(eventId: string, message: string, extraJson = '{}'): string {
  const head = JSON.stringify({ event_id: eventId, timestamp: Date.now() / 1000, platform: 'node', message });
  return `${head.slice(0, -1)},"extra":${extraJson}}`;
}

/** POSTs one event in an envelope, as an SDK does. */
async function sendEnvelope(server: TestServer, org: BootstrapResult, eventId: string, eventJson: string) {
  const key = decodeURIComponent(new URL(org.dsn).username);
  const body = `${JSON.stringify({ event_id: eventId })}\n{"type":"event"}\n${eventJson}\n`;
  return fetch(`${server.url}/api/${org.projectId}/envelope/?sentry_key=${key}`, { method: 'POST', body });
}

async function apiGet(server: TestServer, org: BootstrapResult, path: string): Promise<unknown> {
  const answer = await fetch(`${server.url}/api/0${path}`, {
    headers: { Authorization: `Bearer ${org.token}` },
  });
  assert.equal(answer.status, 200, `${path}: ${answer.status}`);
  return answer.json();
}

for (const kind of ['embedded', 'postgres'] as const) {
  describe(`an event nested 5,000 deep, sent to a running server [${kind}]`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let orgs: BootstrapResult[];

    before(async function () {
      if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
      server = await startTestServer(kind);
      orgs = [];
      for (const name of ['first-org', 'second-org']) {
        orgs.push(
          await bootstrap(server.knex, {
            organization: name,
            team: `${name}-team`,
            project: 'app',
            platform: 'node',
            email: `owner@${name}.example`,
            publicUrl: server.url,
          }),
        );
      }
    });
    after(async () => {
      await server?.stop();
    });

    it("is stored trimmed, with the trimming in _meta, and doesn't stop the events of two organizations", async () => {
      const deepId = newEventId();
      const deep = await sendEnvelope(
        server,
        orgs[0],
        deepId,
        eventText(deepId, 'the deep one', deepJson(5000)),
      );
      assert.equal(deep.status, 200);
      const later = [newEventId(), newEventId()];
      for (const [i, org] of orgs.entries()) {
        const answer = await sendEnvelope(
          server,
          org,
          later[i],
          eventText(later[i], `valid event of ${org.organization}`),
        );
        assert.equal(answer.status, 200);
      }

      // The valid events of both organizations, sent after the deep one, are processed.
      for (const [i, org] of orgs.entries()) {
        const path = `/api/0/projects/${org.organization}/app/events/${later[i]}/`;
        const headers = { Authorization: `Bearer ${org.token}` };
        await waitFor(
          `the event of ${org.organization}`,
          async () => (await fetch(`${server.url}${path}`, { headers })).status === 200,
          30_000,
        );
      }
      // The deep event is stored too, trimmed where Relay trims, the cut recorded in _meta. The
      // pipeline's loops run side by side, so it may be stored after the later ones: wait for it.
      const deepPath = `/api/0/projects/first-org/app/events/${deepId}/`;
      await waitFor(
        'the deep event',
        async () =>
          (await fetch(`${server.url}${deepPath}`, { headers: { Authorization: `Bearer ${orgs[0].token}` } }))
            .status === 200,
        30_000,
      );
      const stored = (await apiGet(server, orgs[0], `/projects/first-org/app/events/${deepId}/`)) as {
        context: Record<string, unknown>;
      };
      const rows = await server.knex('events').where({ event_id: deepId });
      assert.equal(rows.length, 1);
      const data = (typeof rows[0].data === 'string' ? JSON.parse(rows[0].data) : rows[0].data) as {
        extra: unknown;
        _meta: unknown;
      };
      assert.deepEqual(data.extra, { a: { a: { a: { a: { a: { a: null } } } } } });
      assert.equal(
        JSON.stringify(data._meta),
        '{"extra":{"a":{"a":{"a":{"a":{"a":{"a":{"":{"rem":[["!limit","x"]],"len":1}}}}}}}}}',
      );
      assert.deepEqual(stored.context, data.extra, 'the API answers with the trimmed extra');
      assert.deepEqual(await apiGet(server, orgs[0], '/projects/first-org/app/unprocessable-events/'), []);
    });
  });
}
