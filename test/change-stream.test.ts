import assert from 'node:assert/strict';
import type { BootstrapResult } from '../core/src/accounts';
import { errorEvent, storeEvents } from '../core/src/api/api-test-kit';
import { isPostgresReachable } from '../core/src/testing/databases';
import { SseClient } from '../core/src/testing/sse-client';
import { ApiClient } from './support/api';
import { runBootstrap } from './support/cli';
import { createDatabaseTarget, type DatabaseTarget } from './support/database';
import { parseTestDsn } from './support/envelopes';
import { FaultlineServer, freePort } from './support/server';

/**
 * Two `faultline start` processes on one Postgres: a change made through one process's API reaches a
 * change-stream client of the other, because the outbox in the database, not a process, is the source.
 */
describe('change stream across processes sharing one Postgres', function () {
  this.timeout(60_000);
  let target: DatabaseTarget | undefined;
  const servers: FaultlineServer[] = [];
  let client: SseClient | undefined;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    target = await createDatabaseTarget('postgres');
  });

  after(async () => {
    client?.close();
    await Promise.all(servers.map((s) => s.stop()));
    await target?.dispose();
  });

  it('delivers changes written through process A (and the database) to a client of process B', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    servers.push(await FaultlineServer.start(target!, { port: portA, args: ['--no-workers'] }));
    servers.push(await FaultlineServer.start(target!, { port: portB, args: ['--no-workers'] }));
    const [a, b] = servers;
    const setup: BootstrapResult = await runBootstrap([...target!.cliArgs, '--port', String(portA)]);
    const auth = { Authorization: `Bearer ${setup.token}` };

    client = await SseClient.connect(`${b.url}/api/0/organizations/${setup.organization}/changes/`, auth);
    assert.equal(client.status, 200);
    await client.until((c) => c.comments.includes('connected'), 5000, 'connected');

    // The pipeline is not what is under test: the issue is stored straight into the shared database.
    await target!.withKnex((knex) =>
      storeEvents(knex, parseTestDsn(setup.dsn).projectId, [
        errorEvent({ type: 'TypeError', value: 'streamed across processes' }),
      ]),
    );
    const api = new ApiClient(a.url, setup.token);
    const [issue] = await api.issues(setup.organization, setup.project);
    const put = await api.client.PUT('/api/0/issues/{issue}/', {
      params: { path: { issue: issue.id } },
      body: { status: 'resolved' },
    });
    assert.equal(put.response.status, 200, JSON.stringify(put.error));

    await client.until(
      (c) => c.messages.some((m) => m.event === 'issue.state_changed'),
      10_000,
      'state change',
    );
    const kinds = client.messages.map((m) => m.event);
    assert.deepEqual(kinds, ['issue.created', 'issue.events_counted', 'issue.state_changed']);
    const resolved = JSON.parse(client.messages[2].data) as { issueId: string; surface: string };
    assert.equal(resolved.issueId, issue.id);
    assert.equal(resolved.surface, 'api');
  });
});
