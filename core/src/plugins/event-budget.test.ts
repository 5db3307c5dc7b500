import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { normalizeEvent, type NormalizedEvent } from '../events';
import { describeEachDatabase } from '../testing/databases';
import { PluginHost } from './host';

const FIXTURES = path.join(__dirname, 'test-fixtures');

function events(n: number): NormalizedEvent[] {
  return Array.from({ length: n }, (_, i) =>
    normalizeEvent(
      { event_id: randomUUID().replaceAll('-', ''), platform: 'node', message: `event ${i}` },
      { receivedAt: Date.now() / 1000 },
    ),
  );
}

const tagOf = (event: NormalizedEvent | null, key: string) =>
  (event?.tags as [string, string][] | undefined)?.find(([k]) => k === key)?.[1];

describeEachDatabase('processEvent budgets when a batch of events arrives at once', (ctx) => {
  const hosts: PluginHost[] = [];

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
  });

  async function start(specs: string[], rawConfigs: Record<string, string> = {}): Promise<PluginHost> {
    const host = await PluginHost.start(specs, {
      knex: ctx.db.knex,
      log: pino({ level: 'silent' }),
      baseDir: FIXTURES,
      rawConfigs: { BUSY_AFTER_AWAIT: JSON.stringify({ greeting: 'hello' }), ...rawConfigs },
      eventBudgetMs: 50,
    });
    hosts.push(host);
    assert.deepEqual(host.skipped, []);
    return host;
  }

  it('gives each event its 50 ms from when the plugin starts on it, not from when it was queued', async () => {
    const host = await start(['./steady-enricher'], { STEADY_ENRICHER: '{"msPerEvent":2}' });
    // 100 events at 2 ms each queue for ~200 ms on the plugin's thread: far beyond one budget.
    const results = await Promise.all(events(100).map((e) => host.processEvent(e)));
    assert.equal(results.filter((e) => tagOf(e, 'enriched') === 'yes').length, 100);
    assert.equal(host.healthOf('steady-enricher')?.failures, 0);
    assert.equal(host.plugin('steady-enricher')!.thread!.restarts, 0);
  });

  it('still cuts off a busy loop; events queued behind it go on without it and are not counted', async () => {
    const host = await start(['./busy-after-await']);
    const started = performance.now();
    const results = await Promise.all(events(5).map((e) => host.processEvent(e)));
    const took = performance.now() - started;
    assert.equal(results.length, 5);
    for (const e of results) assert.ok(e, 'every event goes on');
    assert.ok(took < 2000, `took ${Math.round(took)} ms`);
    // Only the event the plugin was spinning on is its failure; the rest never reached it.
    assert.equal(host.healthOf('busy-after-await')?.failures, 1);
  });

  it('a pause holds back events already queued on the plugin’s thread', async () => {
    const host = await start(['./steady-enricher'], {
      STEADY_ENRICHER: '{"msPerEvent":5,"fail":true}',
    });
    const before = Date.now();
    const results = await Promise.all(events(100).map((e) => host.processEvent(e)));
    assert.equal(results.filter((e) => e !== null).length, 100, 'events go on unchanged');
    const health = host.healthOf('steady-enricher')!;
    // Three failures pause it; the calls the thread had not started yet are not run at all.
    assert.ok(health.failures >= 3 && health.failures < 50, `${health.failures} failures counted`);
    // One pause of 1 s, not a pause per event that was queued behind the failures.
    assert.ok(health.pausedUntil! - before < 1000 + 500, 'paused once');
    assert.ok(health.pausedUntil! > Date.now());
  });
});
