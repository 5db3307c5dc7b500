import assert from 'node:assert/strict';
import type { BootstrapResult } from '../core/src/accounts';
import { isPostgresReachable } from '../core/src/testing/databases';
import { ApiClient, sleep, totalCount, waitFor, type ApiIssue } from './support/api';
import { ChildApp } from './support/child-app';
import { runBootstrap, runCli } from './support/cli';
import { createDatabaseTarget, type DatabaseTarget } from './support/database';
import { freePort, FaultlineServer } from './support/server';

/**
 * The product promise end to end: an unmodified @sentry/node app, configured only with the DSN that
 * `faultline bootstrap` printed, reports errors and a message; the REST API then shows them grouped
 * the way Sentry would.
 */
for (const kind of ['postgres', 'embedded'] as const) {
  describe(`@sentry/node 11 against a running faultline [${kind}]`, function () {
    this.timeout(120_000);
    let target: DatabaseTarget | undefined;
    let server: FaultlineServer | undefined;
    let port = 0;
    const runs: BootstrapResult[] = [];

    before(async function () {
      if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
      target = await createDatabaseTarget(kind);
      port = await freePort();
      const bootstrapArgs = [...target.cliArgs, '--port', String(port)];
      if (kind === 'postgres') {
        // Postgres is shared: bootstrap runs next to the serving process, twice at once.
        server = await FaultlineServer.start(target, { port });
        runs.push(...(await Promise.all([runBootstrap(bootstrapArgs), runBootstrap(bootstrapArgs)])));
      } else {
        // The embedded database belongs to one process, so bootstrap runs before the server.
        runs.push(await runBootstrap(bootstrapArgs));
        runs.push(await runBootstrap(bootstrapArgs));
        server = await FaultlineServer.start(target, { port });
      }
    });

    after(async () => {
      await server?.stop();
      await target?.dispose();
    });

    it('bootstrap --json prints a working DSN and token, and the same DSN on every run', async () => {
      const [first, second] = runs;
      assert.equal(first.dsn, second.dsn, 'a second bootstrap must not mint another DSN');
      assert.equal(first.projectId, second.projectId);
      assert.match(first.dsn, new RegExp(`^http://[0-9a-f]{32}@127\\.0\\.0\\.1:${port}/${first.projectId}$`));
      assert.equal(first.url, `http://127.0.0.1:${port}`);
      assert.notEqual(first.token, second.token, 'each run mints a fresh token');
      // Both tokens work: minting a new one does not revoke the old one.
      for (const { token } of runs) {
        const issues = await new ApiClient(server!.url, token).issues(first.organization, first.project);
        assert.deepEqual(issues, []);
      }
    });

    if (kind === 'embedded') {
      it('refuses a second process on the same DATA_DIR with a clear message', async () => {
        const result = await runCli(['bootstrap', '--json', ...target!.cliArgs]);
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /in use by process \d+/);
        assert.ok(server!.isRunning, 'the running server is unaffected');
      });
    }

    it('groups the errors of an unmodified @sentry/node app into issues the API shows', async () => {
      const setup = runs[0];
      const api = new ApiClient(server!.url, setup.token);
      const issuesNow = () => api.issues(setup.organization, setup.project);
      const app = new ChildApp('sentry-app.ts', { FAULTLINE_DSN: setup.dsn });
      let firstIssue: ApiIssue;
      const ids: Record<string, string> = {};
      try {
        ids.first = (await app.report('order-8123')).eventId;
        // Let the first event become an issue before the second one is sent: "first" is then unambiguous.
        firstIssue = await waitFor('the first error to become an issue', async () => (await issuesNow())[0]);
        app.send('continue');
        ids.second = (await app.report('order-99')).eventId;
        ids.charge = (await app.report('charge')).eventId;
        ids.message = (await app.report('message')).eventId;
        await app.report('flushed');
        await app.finished();
      } finally {
        app.kill();
      }

      let latest: ApiIssue[] = [];
      await waitFor(
        'all 4 events to be processed',
        async () => {
          latest = await issuesNow();
          return totalCount(latest) >= 4 ? latest : undefined;
        },
        { describe: () => JSON.stringify(latest, null, 1) },
      );
      // Whatever else the SDK sent (sessions at exit) must not add issues: look again a moment later.
      await sleep(1000);
      const issues = await issuesNow();
      assert.equal(
        issues.length,
        3,
        `expected 3 issues, got ${JSON.stringify(issues.map((i) => [i.title, i.count]))}`,
      );

      const pair = issues.find((i) => i.title.includes('not found'));
      const charge = issues.find((i) => i.title.includes('Card declined'));
      const message = issues.find((i) => i.title.includes('Payment provider'));
      assert.ok(pair && charge && message, JSON.stringify(issues.map((i) => i.title)));

      // Same throw site, different ids in the message: one issue, titled after its first event.
      assert.equal(pair.title, 'Error: Order 8123 not found');
      assert.equal(pair.count, '2');
      assert.equal(pair.userCount, 2);
      assert.equal(pair.level, 'error');
      assert.equal(pair.status, 'unresolved');
      assert.equal(pair.shortId, 'APP-1');
      assert.equal(pair.id, firstIssue!.id);
      assert.match(pair.culprit, /findOrder/);
      assert.match(pair.culprit, /sentry-app/);
      assert.equal(pair.firstSeen, firstIssue!.firstSeen);
      assert.ok(
        Date.parse(pair.lastSeen) > Date.parse(pair.firstSeen),
        `lastSeen ${pair.lastSeen} after firstSeen ${pair.firstSeen}`,
      );

      assert.equal(charge.title, 'TypeError: Card declined for amount 250');
      assert.equal(charge.count, '1');
      assert.equal(charge.userCount, 1);
      assert.match(charge.culprit, /chargeCard/);
      assert.match(charge.culprit, /sentry-app/);
      assert.equal(charge.firstSeen, charge.lastSeen);

      assert.equal(message.title, 'Payment provider timeout after 3000 ms');
      assert.equal(message.level, 'warning');
      assert.equal(message.count, '1');
      assert.equal(message.userCount, 0);

      assert.deepEqual(issues.map((i) => i.shortId).sort(), ['APP-1', 'APP-2', 'APP-3']);
      for (const issue of issues) {
        assert.ok(
          Date.parse(issue.firstSeen) > Date.now() - 5 * 60_000,
          `${issue.title} firstSeen ${issue.firstSeen} is recent`,
        );
      }

      const events = await api.events(pair.id);
      assert.deepEqual(events.map((e) => e.eventID).sort(), [ids.first, ids.second].sort());

      const newest = await api.latestEvent(pair.id);
      assert.equal(newest.eventID, ids.second);
      const exception = newest.entries?.find((e) => e.type === 'exception');
      assert.ok(
        exception,
        `latest event has an exception entry: ${JSON.stringify(newest.entries?.map((e) => e.type))}`,
      );
      const thrown = exception.data.values?.at(-1);
      assert.equal(thrown?.type, 'Error');
      assert.equal(thrown?.value, 'Order 99 not found');
      const frames = thrown?.stacktrace?.frames ?? [];
      assert.ok(frames.length >= 2, `expected a stack trace, got ${frames.length} frames`);
      const crashing = frames.at(-1)!;
      assert.equal(crashing.function, 'findOrder');
      assert.match(String(crashing.filename ?? crashing.absPath), /sentry-app/);
      assert.equal(crashing.inApp, true);
      const tags = new Map((newest.tags ?? []).map((t) => [t.key, t.value]));
      assert.equal(tags.get('environment'), 'e2e');
      assert.equal(tags.get('release'), 'e2e@1.0.0');

      const messageEvent = await api.latestEvent(message.id);
      assert.equal(messageEvent.eventID, ids.message);
    });
  });
}
