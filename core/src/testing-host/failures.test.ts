import assert from 'node:assert/strict';
import { coreServices, definePlugin, PluginError } from '@faultline/plugin-sdk';
import type { TestHost } from '@faultline/plugin-sdk/testing';
import { startTestHost } from './test-host';

/** Notes the events it sees in its storage, and fails on the ones saying `boom`. */
const flaky = definePlugin({
  id: 'flaky',
  version: '1.0.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: { storage: coreServices.storage },
      init: ({ storage }) => ({
        hooks: {
          async processEvent(event) {
            // One key per event: events of a batch run concurrently, so a shared counter would race.
            await storage.set(`seen:${event.event_id}`, event.message);
            if (event.message === 'boom')
              throw new PluginError('cannot enrich boom', { code: 'enrich_failed' });
            return event;
          },
        },
      }),
    });
  },
});

describe('plugin test host: reading a plugin failures and storage', function () {
  this.timeout(60_000);
  let host: TestHost;

  before(async () => {
    host = await startTestHost({ plugins: [flaky] });
  });
  after(async () => {
    await host?.close();
  });

  it('waitForIdle fails naming the plugin, the call and its error when a call failed, once', async () => {
    const fine = await host.sendEvent({ message: 'fine' });
    const boom = await host.sendEvent({ message: 'boom' });
    await assert.rejects(
      host.waitForIdle(),
      (error: Error & { code?: string }) =>
        error.code === 'plugin_failed' &&
        /flaky: 1 failed processEvent call\(s\), the last: PluginError: cannot enrich boom/.test(
          error.message,
        ),
    );
    // Reported once: the next wait is about what happens next.
    await host.waitForIdle();

    const report = await host.failures('flaky');
    assert.equal(report.counts.processEvent, 1);
    assert.match(report.lastErrors.processEvent ?? '', /cannot enrich boom/);
    // Storage written inside processEvent commits with the pipeline's batch, failed call or not.
    const storage = host.storage('flaky');
    assert.deepEqual(await storage.keys('seen:'), [`seen:${boom}`, `seen:${fine}`].sort());
    assert.equal(await storage.get(`seen:${boom}`), 'boom');
  });

  it('waitForIdle({ allowFailures: true }) only waits, for a test that expects failures', async () => {
    await host.sendEvent({ message: 'boom' });
    await host.waitForIdle({ allowFailures: true });
    assert.equal((await host.failures('flaky')).counts.processEvent, 2);
    await assert.rejects(host.failures('nobody'), /plugin nobody is not loaded/);
  });
});
