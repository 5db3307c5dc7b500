import assert from 'node:assert/strict';
import type { BootstrapResult } from '../core/src/accounts';
import { isPostgresReachable } from '../core/src/testing/databases';
import { ApiClient, waitFor } from './support/api';
import { runBootstrap, runCli } from './support/cli';
import { createDatabaseTarget, type DatabaseTarget } from './support/database';
import { envelopeUrl, eventEnvelope, parseTestDsn } from './support/envelopes';
import { httpRequest } from './support/http';
import { FaultlineProcess, FaultlineServer, freePort } from './support/server';

/**
 * A first deployment on an empty Postgres database starts everything at once (docker compose: an
 * HTTP process, a worker process, a bootstrap job). Each of them migrates; all must come up, and
 * the database must stay usable for the next start.
 */
describe('processes started together on a fresh Postgres database', function () {
  this.timeout(120_000);
  let target: DatabaseTarget | undefined;
  let server: FaultlineServer | undefined;
  let worker: FaultlineProcess | undefined;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    target = await createDatabaseTarget('postgres');
  });

  after(async () => {
    await Promise.all([server?.stop(), worker?.stop()]);
    await target?.dispose();
  });

  it('all come up (start, worker, bootstrap, migrate), and the worker process handles the events', async () => {
    const port = await freePort();
    worker = new FaultlineProcess(['worker', ...target!.cliArgs]);
    const [started, setup, migrations] = await Promise.allSettled([
      FaultlineServer.start(target!, { port, args: ['--no-workers'] }),
      runBootstrap([...target!.cliArgs, '--port', String(port)]),
      Promise.all([0, 1, 2, 3].map(() => runCli(['migrate', ...target!.cliArgs]))),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    assert.equal(
      started.status,
      'fulfilled',
      `faultline start failed: ${started.status === 'rejected' ? started.reason : ''}`,
    );
    assert.equal(
      setup.status,
      'fulfilled',
      `bootstrap failed: ${setup.status === 'rejected' ? setup.reason : ''}`,
    );
    assert.equal(migrations.status, 'fulfilled');
    for (const run of migrations.value) assert.equal(run.code, 0, `faultline migrate failed:\n${run.stderr}`);
    assert.ok(worker.isRunning, `the worker exited:\n${worker.output()}`);

    // Later starts still work: nothing was left locked.
    const again = await runCli(['migrate', ...target!.cliArgs]);
    assert.equal(again.code, 0, again.stderr);

    // The HTTP process runs no workers, so the issue can only come from the worker process.
    const { dsn, token, organization, project }: BootstrapResult = setup.value;
    const { projectId, publicKey } = parseTestDsn(dsn);
    const event = eventEnvelope({ message: 'processed by the worker process', fingerprint: ['worker'] });
    const res = await httpRequest(envelopeUrl(server!.url, projectId, publicKey), {
      method: 'POST',
      body: event.body,
    });
    assert.equal(res.status, 200, `${res.text()}\n${server!.output()}`);
    const api = new ApiClient(server!.url, token);
    await waitFor('the worker process to turn the event into an issue', async () => {
      const issues = await api.issues(organization, project);
      return issues.find((i) => i.title === 'processed by the worker process');
    });
  });
});
