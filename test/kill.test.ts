import assert from 'node:assert/strict';
import { isPostgresReachable } from '../core/src/testing/databases';
import { sleep, totalCount, waitFor, type ApiIssue } from './support/api';
import { envelopeUrl, eventEnvelope, parseTestDsn, type TestEvent } from './support/envelopes';
import type { Knex } from './support/database';
import { httpRequest } from './support/http';
import { EnvelopeLoad } from './support/load';
import { startStack, type Stack } from './support/stack';

interface StoredCounts {
  queued: number;
  events: number;
  distinctEvents: number;
  timesSeen: number;
  /** How often each event id is stored. */
  perEventId: Map<string, number>;
}

async function storedCounts(knex: Knex, projectId: number): Promise<StoredCounts> {
  const [queued] = await knex('raw_events').count<{ n: string | number }[]>({ n: '*' });
  const rows = await knex('events')
    .where({ project_id: projectId })
    .groupBy('event_id')
    .select<{ event_id: string; n: string | number }[]>('event_id', knex.raw('count(*) AS n'));
  const [issues] = await knex('issues')
    .where({ project_id: projectId })
    .sum<{ n: string | number | null }[]>({ n: 'times_seen' });
  const perEventId = new Map(rows.map((r) => [r.event_id, Number(r.n)]));
  return {
    queued: Number(queued.n),
    events: rows.reduce((sum, r) => sum + Number(r.n), 0),
    distinctEvents: rows.length,
    timesSeen: Number(issues.n ?? 0),
    perEventId,
  };
}

/**
 * Every acknowledged event stored exactly once, nothing stored twice, issue counters agreeing with
 * the stored events.
 */
function assertNothingLostOrDoubled(counts: StoredCounts, acked: Iterable<string>): void {
  assert.equal(counts.queued, 0, 'the queue (raw_events) is drained');
  const missing = [...acked].filter((id) => !counts.perEventId.has(id));
  assert.deepEqual(missing, [], `${missing.length} acknowledged events were lost`);
  const doubled = [...counts.perEventId].filter(([, n]) => n !== 1);
  assert.deepEqual(doubled, [], 'event ids stored more than once');
  assert.equal(counts.events, counts.distinctEvents);
  assert.equal(counts.timesSeen, counts.events, 'sum of issue times_seen equals the stored events');
}

/**
 * Runs a load of concurrent senders against the server until it has acknowledged at least 200
 * events over at least a second, then applies `interrupt` while the load still runs. Returns the
 * acknowledged events and how many requests failed on the network.
 */
async function loadThenInterrupt(
  url: string,
  interrupt: () => Promise<void>,
): Promise<{ acked: Map<string, TestEvent>; networkErrors: number }> {
  const load = new EnvelopeLoad(url, { senders: 6, groups: 5 });
  const started = Date.now();
  try {
    await waitFor('the server to acknowledge load', async () =>
      load.result.acked.size >= 200 && Date.now() - started >= 1000 ? true : undefined,
    );
    await interrupt();
    // Let the senders run into the stopped server for a moment, as SDKs would.
    await sleep(300);
  } finally {
    await load.stop();
  }
  return { acked: new Map(load.result.acked), networkErrors: load.result.networkErrors };
}

/**
 * Crash safety: `kill -9` in the middle of a load must lose no event the server acknowledged, and a
 * restart must neither lose the queued ones nor count any event twice, also when SDKs re-send. A
 * graceful stop (SIGTERM) under the same load must finish promptly and lose nothing either.
 */
for (const kind of ['postgres', 'embedded'] as const) {
  describe(`kill -9 and SIGTERM under load [${kind}]`, function () {
    this.timeout(180_000);
    let stack: Stack | undefined;
    let projectId = 0;
    let url = '';
    const post = (event: TestEvent) => httpRequest(url, { method: 'POST', body: event.body });

    before(async function () {
      if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
      stack = await startStack(kind);
      const dsn = parseTestDsn(stack.setup.dsn);
      projectId = dsn.projectId;
      url = envelopeUrl(stack.baseUrl, dsn.projectId, dsn.publicKey);
    });

    after(async () => {
      await stack?.dispose();
    });

    /** Postgres: waits until the queue is empty and reads the counts, with the server running. */
    const drained = () =>
      waitFor(
        'the queue to drain',
        () =>
          stack!.target.withKnex(async (knex) => {
            const counts = await storedCounts(knex, projectId);
            return counts.queued === 0 ? counts : undefined;
          }),
        { timeoutMs: 60_000, intervalMs: 250 },
      );

    /**
     * Embedded: the database belongs to the server process, so watch through the API. The single
     * worker takes the queue in order: once a marker sent now shows up, everything before it is done.
     */
    const sendMarker = async (name: string): Promise<ApiIssue[]> => {
      const { organization, project } = stack!.setup;
      assert.equal((await post(eventEnvelope({ message: name, fingerprint: [name] }))).status, 200);
      return waitFor(
        `marker "${name}" to be processed`,
        async () => {
          const issues = await stack!.api.issues(organization, project);
          return issues.some((i) => i.title === name) ? issues : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    };

    /** Embedded: stops the server gracefully and reads the counts from its database. */
    const stopAndCount = async (): Promise<StoredCounts> => {
      const stop = await stack!.server.stop();
      assert.equal(stop.code, 0, `graceful stop failed:\n${stack!.server.output()}`);
      return stack!.target.withKnex((knex) => storedCounts(knex, projectId));
    };

    it('keeps every acknowledged event exactly once across kill -9 and restart, and ignores re-sent ones', async () => {
      const { organization, project } = stack!.setup;
      const { acked, networkErrors } = await loadThenInterrupt(url, async () => {
        const exit = await stack!.server.kill();
        assert.equal(exit.signal, 'SIGKILL');
      });
      assert.ok(acked.size >= 200, `only ${acked.size} events were acknowledged before the kill`);
      assert.ok(networkErrors > 0, 'the kill happened while the load was running');

      await stack!.restart();
      const resent = [...acked.values()].slice(0, 5);

      if (kind === 'postgres') {
        const afterRestart = await drained();
        assertNothingLostOrDoubled(afterRestart, acked.keys());
        for (const event of resent) assert.equal((await post(event)).status, 200);
        const afterResend = await drained();
        assertNothingLostOrDoubled(afterResend, acked.keys());
        assert.equal(afterResend.events, afterRestart.events, 're-sent events are not stored again');
        assert.equal(afterResend.timesSeen, afterRestart.timesSeen, 're-sent events are not counted again');
        const issues = await stack!.api.issues(organization, project);
        assert.equal(totalCount(issues), afterResend.events, 'the API counts what is stored');
        return;
      }

      const afterRestart = await sendMarker('marker after restart');
      for (const event of resent) assert.equal((await post(event)).status, 200);
      const afterResend = await sendMarker('marker after re-send');
      assert.equal(
        totalCount(afterResend),
        totalCount(afterRestart) + 1,
        're-sent events are not counted again (only the second marker is new)',
      );
      const counts = await stopAndCount();
      assertNothingLostOrDoubled(counts, acked.keys());
      assert.equal(counts.events, totalCount(afterResend), 'the API counted what is stored');
    });

    it('stops promptly on SIGTERM while SDKs keep their connections busy, losing nothing acknowledged', async () => {
      if (!stack!.server.isRunning) await stack!.restart();
      let stoppedIn = 0;
      const { acked } = await loadThenInterrupt(url, async () => {
        const started = Date.now();
        const exit = await stack!.server.stop(20_000);
        stoppedIn = Date.now() - started;
        assert.deepEqual(
          exit,
          { code: 0, signal: null },
          `SIGTERM did not end the server cleanly:\n${stack!.server.output()}`,
        );
      });
      assert.ok(stoppedIn < 5000, `a graceful stop under load took ${stoppedIn} ms`);
      assert.ok(acked.size >= 200);

      await stack!.restart();
      if (kind === 'postgres') {
        assertNothingLostOrDoubled(await drained(), acked.keys());
      } else {
        await sendMarker('marker after SIGTERM');
        assertNothingLostOrDoubled(await stopAndCount(), acked.keys());
      }
    });
  });
}
