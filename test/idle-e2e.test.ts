import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BootstrapResult } from '../core/src/accounts';
import { isPostgresReachable } from '../core/src/testing/databases';
import { waitFor } from './support/api';
import { runBootstrap } from './support/cli';
import { createDatabaseTarget, type DatabaseTarget } from './support/database';
import { envelopeUrl, eventEnvelope, parseTestDsn } from './support/envelopes';
import { httpRequest } from './support/http';
import { FaultlineProcess, FaultlineServer, freePort } from './support/server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Background work wakes on work instead of polling for it: an HTTP-only `faultline start` and a
 * `faultline worker` share one Postgres, with an alert rule and a plugin with issue hooks turned on.
 * An event acknowledged by the HTTP process is processed by the worker (whose idle pipeline looks
 * unasked only every 30 s) within seconds, its new issue fires the rule (the evaluator's safety poll
 * is 30 s too); and with no traffic the two processes commit next to nothing.
 */
describe('background work with no traffic [postgres]', function () {
  this.timeout(120_000);
  let target: DatabaseTarget | undefined;
  let server: FaultlineServer | undefined;
  let worker: FaultlineProcess | undefined;
  let receiver: http.Server | undefined;
  let delivered = 0;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    target = await createDatabaseTarget('postgres');
    // Where the webhooks plugin delivers: answers at once, so no delivery is retried.
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        delivered += 1;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    await Promise.all([server?.stop(), worker?.stop()]);
    await target?.dispose();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('wakes the other process at once for new work, and commits next to nothing while idle', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const setup: BootstrapResult = await runBootstrap([...target!.cliArgs, '--public-url', baseUrl]);
    // The receiver is on loopback: only the installation may let plugins reach private addresses.
    const env = { PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true' };
    server = await FaultlineServer.start(target!, { port, args: ['--no-workers'], env });
    worker = new FaultlineProcess(['worker', ...target!.cliArgs], env);
    const hookUrl = `http://127.0.0.1:${(receiver!.address() as AddressInfo).port}/hook`;
    const { organization: org, project, dsn, token } = setup;
    const api = async (method: string, path: string, body: unknown) =>
      httpRequest(`${baseUrl}/api/0${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    // A plugin with issue hooks, on for the organization.
    const enabled = await api('PUT', `/organizations/${org}/plugins/webhooks/`, {
      enabled: true,
      config: { urls: [hookUrl], secret: 'e2e-idle-secret-0123456789abcdef' },
    });
    assert.equal(enabled.status, 200, enabled.text());
    const rule = await api('POST', `/projects/${org}/${project}/rules/`, {
      name: 'New issues',
      conditions: [{ id: 'issue.created' }, { id: 'event_frequency', value: 1000, interval: 5 }],
      actions: [{ plugin: 'webhooks', config: {} }],
    });
    assert.equal(rule.status, 201, rule.text());
    const ruleId = Number(rule.json<{ id: string }>().id);

    const issues = () =>
      target!.withKnex(async (knex) => Number((await knex('issues').count<{ n: string }[]>('* as n'))[0].n));
    const fires = () =>
      target!.withKnex(async (knex) =>
        Number((await knex('alert_fires').where('rule_id', ruleId).count<{ n: string }[]>('* as n'))[0].n),
      );
    // Let the worker finish starting and its first rounds pass: from then on it looks only when told.
    await waitFor('the worker to take the alert cursor', () =>
      target!.withKnex(async (knex) => ((await knex('change_cursors').first()) ? true : undefined)),
    );
    await sleep(4000);

    const { projectId, publicKey } = parseTestDsn(dsn);
    const sentAt = Date.now();
    const sent = await httpRequest(envelopeUrl(baseUrl, projectId, publicKey), {
      method: 'POST',
      body: eventEnvelope({ message: 'woken, not polled', fingerprint: ['idle-e2e'] }).body,
    });
    assert.equal(sent.status, 200, sent.text());
    await waitFor(
      'the event processed by the worker',
      async () => ((await issues()) === 1 ? true : undefined),
      {
        timeoutMs: 20_000,
        intervalMs: 50,
      },
    );
    const processedAfter = Date.now() - sentAt;
    await waitFor('the rule fired by the worker', async () => ((await fires()) === 1 ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    const firedAfter = Date.now() - sentAt;
    // Their safety polls are 30 s: well under that means they were woken (generous on a loaded machine).
    assert.ok(processedAfter < 10_000, `processed after ${processedAfter} ms`);
    assert.ok(firedAfter < 10_000, `fired after ${firedAfter} ms`);

    // The issue.created hook and the alert action, both delivered at once; then the jobs' tails end.
    await waitFor('both webhook deliveries', async () => (delivered >= 2 ? true : undefined));
    await sleep(10_000);
    // One session for both readings (a new connection commits too); its first reading is its one
    // transaction inside the window.
    const idleCommits = await target!.withKnex(async (knex) => {
      const read = async () => {
        const { rows } = await knex.raw<{ rows: { n: string }[] }>(
          'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
        );
        return Number(rows[0].n);
      };
      const before = await read();
      await sleep(10_000);
      return (await read()) - before - 1;
    });
    // Before waking on signals this was ~35 commits/s; now about 0.5/s (the job queue's cron, the
    // consumers' 30 s safety polls). The bound leaves room for a minute's cron tick and for
    // statistics Postgres reports late.
    assert.ok(idleCommits <= 20, `${idleCommits} commits in 10 s with no traffic`);
  });
});
