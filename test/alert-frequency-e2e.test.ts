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

interface AlertPayload {
  event: string;
  alert: { rule: { id: string }; issues: { trigger: string; reason: string }[] };
}

/** A webhook receiver on loopback that keeps every `alert.fired` payload. */
async function startReceiver(): Promise<{ url: string; alerts: AlertPayload[]; close(): Promise<void> }> {
  const alerts: AlertPayload[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.headers['faultline-event'] === 'alert.fired') alerts.push(JSON.parse(body) as AlertPayload);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    alerts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * "A frequency rule fires once with two workers": an HTTP-only `faultline start` and two
 * `faultline worker` processes share one Postgres. Both workers run the job queue's cron, evaluate
 * alerts and take action jobs; the rule must reach the webhook once, not once per worker, and not
 * again on the next minute's evaluation (inside the action interval).
 */
describe('frequency alert rule with two worker processes [postgres]', function () {
  this.timeout(240_000);
  let target: DatabaseTarget | undefined;
  let server: FaultlineServer | undefined;
  const workers: FaultlineProcess[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    target = await createDatabaseTarget('postgres');
    receiver = await startReceiver();
  });

  after(async () => {
    await Promise.all([server?.stop(), ...workers.map((w) => w.stop())]);
    await target?.dispose();
    await receiver?.close();
  });

  it('reaches the webhook once', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const setup: BootstrapResult = await runBootstrap([...target!.cliArgs, '--public-url', baseUrl]);
    // The receiver is on loopback: only the installation may let plugins reach private addresses.
    const env = { PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true' };
    server = await FaultlineServer.start(target!, { port, args: ['--no-workers'], env });
    // Both workers start at once: they race to create the same queues and schedules too.
    workers.push(new FaultlineProcess(['worker', ...target!.cliArgs], env));
    workers.push(new FaultlineProcess(['worker', ...target!.cliArgs], env));
    const { organization: org, project, dsn, token } = setup;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await httpRequest(`${baseUrl}/api/0${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, text: res.text(), json: () => res.json<Record<string, unknown>>() };
    };

    const enabled = await api('PUT', `/organizations/${org}/plugins/webhooks/`, {
      enabled: true,
      config: {
        urls: [receiver!.url],
        secret: 'e2e-frequency-secret-0123456789abcdef',
      },
    });
    assert.equal(enabled.status, 200, enabled.text);
    const rule = await api('POST', `/projects/${org}/${project}/rules/`, {
      name: 'Busy issue',
      conditions: [{ id: 'event_frequency', value: 3, interval: 5 }],
      actions: [{ plugin: 'webhooks', config: {} }],
      frequency: 60,
    });
    assert.equal(rule.status, 201, rule.text);
    const ruleId = String(rule.json().id);

    const { projectId, publicKey } = parseTestDsn(dsn);
    for (let i = 0; i < 5; i++) {
      const sent = await httpRequest(envelopeUrl(baseUrl, projectId, publicKey), {
        method: 'POST',
        body: eventEnvelope({ message: 'checkout keeps failing', fingerprint: ['busy'] }).body,
      });
      assert.equal(sent.status, 200, sent.text());
    }

    const completedRounds = () =>
      target!.withKnex(async (knex) => {
        const { rows } = await knex.raw<{ rows: { n: string }[] }>(
          `SELECT count(*) AS n FROM pgboss.job WHERE name = 'alert-frequency' AND state = 'completed'`,
        );
        return Number(rows[0].n);
      });
    const mine = () => receiver!.alerts.filter((a) => a.alert.rule.id === ruleId);
    await waitFor('the frequency alert at the webhook', async () => (mine().length > 0 ? true : undefined), {
      timeoutMs: 150_000,
      describe: () => `workers:\n${workers.map((w) => w.output().slice(-2000)).join('\n---\n')}`,
    });
    assert.deepEqual(
      mine()[0].alert.issues.map((i) => [i.trigger, i.reason]),
      [['event_frequency', 'Seen 5 times in 5 minutes']],
    );
    // Let the next minute's evaluation run too: still inside the action interval, so nothing more.
    const rounds = await completedRounds();
    await waitFor(
      'another frequency round',
      async () => ((await completedRounds()) > rounds ? true : undefined),
      {
        timeoutMs: 90_000,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 3000)); // an action job it would have sent
    assert.equal(mine().length, 1, 'one webhook, not one per worker');
    const fires = await api('GET', `/projects/${org}/${project}/rules/${ruleId}/fires/`);
    assert.equal((JSON.parse(fires.text) as unknown[]).length, 1);
    for (const worker of workers) assert.ok(worker.isRunning, worker.output());
  });
});
